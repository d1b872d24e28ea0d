import { eq, sql } from 'drizzle-orm';
import { prepared } from '@/lib/db/prepared';
import type { Db } from '@/lib/db/types';
import { conditions, diagnoses, patients } from '@/lib/db/schema';
import { NotFoundError } from '@/lib/errors';
import { assertId } from '../shared/validation';

/** A diagnosis with its condition's code and names: what every diagnosis listing returns. */
export type DiagnosisWithCondition = {
  id: number;
  conditionId: number;
  conditionCode: string;
  conditionNameFa: string;
  conditionNameEn: string;
  conditionNameAr: string;
  clinicianId: number | null;
  notes: string | null;
  createdAt: Date;
};

export type Diagnosis = DiagnosisWithCondition & {
  patientId: number;
  patientName: string;
  mizajType: (typeof patients.$inferSelect)['mizajType'];
};

/** A diagnosis with its condition's code and names: the columns every diagnosis listing selects. */
export const diagnosisWithConditionColumns = {
  id: diagnoses.id,
  conditionId: diagnoses.conditionId,
  conditionCode: conditions.code,
  conditionNameFa: conditions.nameFa,
  conditionNameEn: conditions.nameEn,
  conditionNameAr: conditions.nameAr,
  clinicianId: diagnoses.clinicianId,
  notes: diagnoses.notes,
  createdAt: diagnoses.createdAt,
};

const diagnosisById = prepared((db) =>
  db
    .select({
      ...diagnosisWithConditionColumns,
      patientId: diagnoses.patientId,
      patientName: patients.name,
      mizajType: patients.mizajType,
    })
    .from(diagnoses)
    .innerJoin(patients, eq(patients.id, diagnoses.patientId))
    .innerJoin(conditions, eq(conditions.id, diagnoses.conditionId))
    .where(eq(diagnoses.id, sql.placeholder('id')))
    .limit(1)
    .prepare('diagnosis_by_id'),
);

export async function getDiagnosisOrThrow(db: Db, id: number): Promise<Diagnosis> {
  assertId(id);
  const [row] = await diagnosisById(db).execute({ id });
  if (!row) throw new NotFoundError('Diagnosis', id);
  return row;
}
