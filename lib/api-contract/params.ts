import 'server-only';
import { idParams } from '@/lib/http/schemas';

/** Path params of the operations, with what the id names (the document shows it). */
export const recommendationId = idParams.extend({ id: idParams.shape.id.openapi({ description: 'Recommendation id', example: 7 }) });
export const diagnosisId = idParams.extend({ id: idParams.shape.id.openapi({ description: 'Diagnosis id', example: 12 }) });
export const patientId = idParams.extend({ id: idParams.shape.id.openapi({ description: 'Patient id', example: 3 }) });
export const feedbackId = idParams.extend({ id: idParams.shape.id.openapi({ description: 'Feedback id', example: 1234 }) });
export const conditionId = idParams.extend({ id: idParams.shape.id.openapi({ description: 'Condition id', example: 3 }) });
