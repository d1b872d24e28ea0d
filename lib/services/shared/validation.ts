import { z } from 'zod';
import { ValidationError } from '@/lib/errors';

/** Parses with zod and turns failures into a ValidationError carrying one issue per field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new ValidationError(
    `Invalid ${what}`,
    result.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
  );
}

/** Serial ids: positive 32-bit integers (a larger number would make PostgreSQL fail instead of 404). */
export const idSchema = z.number().int().positive().max(2_147_483_647);

/** Throws ValidationError for ids PostgreSQL could not even compare against a serial column. */
export function assertId(id: number, field = 'id'): void {
  const r = idSchema.safeParse(id);
  if (!r.success) throw new ValidationError(`Invalid ${field}`, [{ path: field, message: 'must be a positive integer' }]);
}

export const round = (v: number, digits = 3) => {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
};
