import 'server-only';
import { getDb } from '@/lib/db/client';
import { getFeedbackOrThrow, listFeedbackCommentsOrThrow, listHealthRecordsOrThrow, listPatientDiagnosesOrThrow, searchPatients } from '@/lib/domain';
import type { PageRequest } from '@/lib/domain/shared/keyset-page';

/**
 * Uncached reads: pages of lists that grow (a cursor per client makes poor cache keys) and single feedbacks.
 * Clients still revalidate them cheaply with the ETag.
 */
export const readHealthRecords = async (patientId: number, page: PageRequest) => listHealthRecordsOrThrow(await getDb(), patientId, page);
export const readPatientDiagnoses = async (patientId: number, page: PageRequest) => listPatientDiagnosesOrThrow(await getDb(), patientId, page);
export const readFeedbackComments = async (recommendationId: number, page: PageRequest) => listFeedbackCommentsOrThrow(await getDb(), recommendationId, page);
export const readFeedback = async (id: number) => getFeedbackOrThrow(await getDb(), id);
export const readPatientSearch = async (input: Parameters<typeof searchPatients>[1]) => searchPatients(await getDb(), input);
