import type { MizajType } from '@/lib/db/schema';
import { axesOf } from './catalog';

/**
 * The rule the demo feedback follows (and predictions should recover): a remedy that opposes the patient's
 * imbalance helps, one that shares it hurts. Warmth weighs twice moisture, as hot/cold is the primary
 * quality in Persian medicine; this also makes every cooling remedy beat every heating one for a hot patient.
 * Returns -1.5 … +1.5; 0 for a balanced (motadel) patient.
 */
export function temperamentEffect(patient: MizajType, remedy: MizajType): number {
  const p = axesOf(patient);
  const r = axesOf(remedy);
  const axis = (pa: string, ra: string) => (pa === 'balanced' || ra === 'balanced' ? 0 : pa === ra ? -1 : 1);
  return 1 * axis(p.warmth, r.warmth) + 0.5 * axis(p.moisture, r.moisture);
}
