import catalogJson from './mizaj-catalog.json';
import type { MizajType } from '@/lib/db/schema';

export type Warmth = 'warm' | 'cold' | 'balanced';
export type Moisture = 'wet' | 'dry' | 'balanced';
type Names = { fa: string; en: string; ar: string };

export type CatalogMizaj = Names & { code: MizajType; warmth: Warmth; moisture: Moisture; humor: string | null };
export type CatalogCondition = Names & { code: string };
export type CatalogRemedy = Names & {
  code: string;
  kind: 'herbal' | 'dietary' | 'lifestyle';
  warmth: 'warm' | 'cold';
  moisture: 'wet' | 'dry';
  dosage: string;
  for: string[];
};
export type Catalog = { mizajTypes: CatalogMizaj[]; conditions: CatalogCondition[]; remedies: CatalogRemedy[]; rule: string };

/** The demo catalog (copied from the design's shared data so the project never reads outside itself). */
export const catalog = catalogJson as Catalog;

/** A remedy's temperament expressed as a mizaj code (warm+dry → garm_khoshk, …). */
export function temperamentOf(warmth: 'warm' | 'cold', moisture: 'wet' | 'dry'): MizajType {
  return `${warmth === 'warm' ? 'garm' : 'sard'}_${moisture === 'wet' ? 'tar' : 'khoshk'}` as MizajType;
}

/** Warmth and moisture of a mizaj code; motadel is balanced on both axes. */
export function axesOf(mizaj: MizajType): { warmth: Warmth; moisture: Moisture } {
  if (mizaj === 'motadel') return { warmth: 'balanced', moisture: 'balanced' };
  const [w, m] = mizaj.split('_') as [string, string];
  return { warmth: w === 'garm' ? 'warm' : 'cold', moisture: m === 'tar' ? 'wet' : 'dry' };
}
