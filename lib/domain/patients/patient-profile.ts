import { eq, getTableColumns, sql, type SQL } from 'drizzle-orm';
import { fromJsonObject, jsonObjectOf, jsonPageOf } from '@/lib/db/json-selection';
import { prepared } from '@/lib/db/prepared';
import { preparedRows } from '@/lib/db/rows';
import type { Db } from '@/lib/db/types';
import { conditions, diagnoses, healthRecords, patients } from '@/lib/db/schema';
import { NotFoundError } from '@/lib/errors';
import { diagnosisWithConditionColumns, type DiagnosisWithCondition } from '../diagnoses/get-diagnosis';
import { keysetPage, newestFirst, pageOf, type Page, type PageRequest } from '../shared/keyset-page';
import { assertId } from '../shared/validation';

export type HealthRecord = typeof healthRecords.$inferSelect;

export type PatientDiagnosis = DiagnosisWithCondition;

export type PatientProfile = {
  patient: typeof patients.$inferSelect;
  /** The newest health records (first page). */
  healthRecords: HealthRecord[];
  /** Cursor of the next page of health records, null when there is none. */
  healthRecordsNext: string | null;
  /** The newest diagnoses with the condition's names (first page). */
  diagnoses: PatientDiagnosis[];
  diagnosesNext: string | null;
};

/** How many of each list a profile embeds; the rest is paged through the list operations. */
export const PROFILE_PAGE = { records: 10, diagnoses: 20 } as const;

const patientById = prepared((db) => db.select().from(patients).where(eq(patients.id, sql.placeholder('id'))).limit(1).prepare('patient_by_id'));

async function assertPatient(db: Db, id: number) {
  assertId(id);
  const [patient] = await patientById(db).execute({ id });
  if (!patient) throw new NotFoundError('Patient', id);
  return patient;
}

// One select per list: the list operations' pages.
const selectRecords = (db: Db, where: SQL, orderBy: SQL[], limit: number) => db.select().from(healthRecords).where(where).orderBy(...orderBy).limit(limit);
const selectDiagnoses = (db: Db, where: SQL, orderBy: SQL[], limit: number) =>
  db
    .select(diagnosisWithConditionColumns)
    .from(diagnoses)
    .innerJoin(conditions, eq(conditions.id, diagnoses.conditionId))
    .where(where)
    .orderBy(...orderBy)
    .limit(limit);

const recordsPage = (db: Db, patientId: number, page: PageRequest): Promise<Page<HealthRecord>> =>
  keysetPage(healthRecords, 'health_records', eq(healthRecords.patientId, patientId), page, (where, orderBy, limit) => selectRecords(db, where, orderBy, limit));

const diagnosesPage = (db: Db, patientId: number, page: PageRequest): Promise<Page<PatientDiagnosis>> =>
  keysetPage(diagnoses, 'diagnoses', eq(diagnoses.patientId, patientId), page, (where, orderBy, limit) => selectDiagnoses(db, where, orderBy, limit));

// A profile miss reads the patient and the first page of each list in ONE statement (each list one JSON value,
// in keysetPage's order, one row more than the page): one round trip and one execution in PostgreSQL, where three
// statements sent at once went out on three pooled connections (three writes and three backends woken).
const patientColumns = getTableColumns(patients);
const recordColumns = getTableColumns(healthRecords);
const profileRows = preparedRows<{ patient: Record<string, unknown>; records: Record<string, unknown>[]; diagnoses: Record<string, unknown>[] }>(
  'patient_profile',
  sql`select ${jsonObjectOf(patientColumns)} as patient,
      ${jsonPageOf(recordColumns, sql`from ${healthRecords} where ${healthRecords.patientId} = ${patients.id}`, newestFirst(healthRecords), PROFILE_PAGE.records + 1)} as records,
      ${jsonPageOf(
        diagnosisWithConditionColumns,
        sql`from ${diagnoses} inner join ${conditions} on ${conditions.id} = ${diagnoses.conditionId} where ${diagnoses.patientId} = ${patients.id}`,
        newestFirst(diagnoses),
        PROFILE_PAGE.diagnoses + 1,
      )} as diagnoses
    from ${patients} where ${patients.id} = ${sql.placeholder('id')}`,
);

export async function getPatientProfileOrThrow(db: Db, id: number): Promise<PatientProfile> {
  assertId(id);
  const [row] = await profileRows(db, { id });
  if (!row) throw new NotFoundError('Patient', id);
  const records = pageOf(
    row.records.map((r) => fromJsonObject<HealthRecord>(recordColumns, r)),
    PROFILE_PAGE.records,
  );
  const diags = pageOf(
    row.diagnoses.map((d) => fromJsonObject<PatientDiagnosis>(diagnosisWithConditionColumns, d)),
    PROFILE_PAGE.diagnoses,
  );
  return {
    patient: fromJsonObject(patientColumns, row.patient),
    healthRecords: records.items,
    healthRecordsNext: records.next,
    diagnoses: diags.items,
    diagnosesNext: diags.next,
  };
}

/** A patient's health records, newest first, a page at a time; NotFoundError for an unknown patient. */
export async function listHealthRecordsOrThrow(db: Db, patientId: number, page: PageRequest): Promise<Page<HealthRecord>> {
  await assertPatient(db, patientId);
  return recordsPage(db, patientId, page);
}

/** A patient's diagnoses, newest first, a page at a time; NotFoundError for an unknown patient. */
export async function listPatientDiagnosesOrThrow(db: Db, patientId: number, page: PageRequest): Promise<Page<PatientDiagnosis>> {
  await assertPatient(db, patientId);
  return diagnosesPage(db, patientId, page);
}
