import { desc, eq } from 'drizzle-orm';
import type { Db } from '@/lib/db/types';
import { conditions, diagnoses, healthRecords, patients } from '@/lib/db/schema';
import { NotFoundError } from '@/lib/errors';
import { diagnosisWithConditionColumns } from '../diagnoses/get-diagnosis';
import { assertId } from '../shared/validation';

export type PatientProfile = {
  patient: typeof patients.$inferSelect;
  /** Newest first. */
  healthRecords: (typeof healthRecords.$inferSelect)[];
  /** Newest first, with the condition's names. */
  diagnoses: {
    id: number;
    conditionId: number;
    conditionCode: string;
    conditionNameFa: string;
    conditionNameEn: string;
    conditionNameAr: string;
    clinicianId: number | null;
    notes: string | null;
    createdAt: Date;
  }[];
};

export async function getPatientProfileOrThrow(db: Db, id: number, opts: { records?: number; diagnoses?: number } = {}): Promise<PatientProfile> {
  assertId(id);
  const [patient] = await db.select().from(patients).where(eq(patients.id, id)).limit(1);
  if (!patient) throw new NotFoundError('Patient', id);
  const [records, diags] = await Promise.all([
    db
      .select()
      .from(healthRecords)
      .where(eq(healthRecords.patientId, id))
      .orderBy(desc(healthRecords.createdAt), desc(healthRecords.id))
      .limit(clamp(opts.records ?? 10)),
    db
      .select(diagnosisWithConditionColumns)
      .from(diagnoses)
      .innerJoin(conditions, eq(conditions.id, diagnoses.conditionId))
      .where(eq(diagnoses.patientId, id))
      .orderBy(desc(diagnoses.createdAt), desc(diagnoses.id))
      .limit(clamp(opts.diagnoses ?? 50)),
  ]);
  return { patient, healthRecords: records, diagnoses: diags };
}

const clamp = (n: number) => Math.min(Math.max(1, Math.trunc(n)), 200);
