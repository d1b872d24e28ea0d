import { z } from 'zod';
import { toFieldIssues, ValidationError } from '@/lib/errors';

/** Parses with zod and turns failures into a ValidationError carrying one issue per field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new ValidationError(`Invalid ${what}`, toFieldIssues(result.error));
}

/** Serial ids: positive 32-bit integers (a larger number would make PostgreSQL fail instead of 404). */
export const idSchema = z.number().int().positive().max(2_147_483_647);

/** Throws ValidationError for ids PostgreSQL could not even compare against a serial column. */
export function assertId(id: number, field = 'id'): void {
  const r = idSchema.safeParse(id);
  if (!r.success) throw new ValidationError(`Invalid ${field}`, [{ path: field, message: 'must be a positive integer' }]);
}

// PostgreSQL text cannot hold NUL, and UTF-8 cannot encode a lone UTF-16 surrogate (postgres.js would
// silently turn it into U+FFFD): both are refused here rather than failing (or mangling) in the database.
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True when PostgreSQL can store the string as given. */
export const isStorableText = (s: string) => !UNSTORABLE.test(s);

/** A string PostgreSQL can store: no NUL, no unpaired surrogate (a field error, not a database error). */
export const storableText = () => z.string().refine(isStorableText, 'must not contain NUL or unpaired surrogate characters');

// `real` (float4): a non-zero magnitude below its smallest normal value underflows in PostgreSQL.
const REAL_MIN = 1.1754944e-38;
const REAL_MAX = 3.4028234e38;

/** A number a `real` column holds without underflow or overflow. */
export const realNumber = () =>
  z.number().refine((v) => v === 0 || (Math.abs(v) >= REAL_MIN && Math.abs(v) <= REAL_MAX), 'is outside the range a real column holds');

export const round = (v: number, digits = 3) => {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
};
