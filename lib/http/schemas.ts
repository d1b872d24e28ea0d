import 'server-only';
import { z } from './zod';

/** PostgreSQL `serial` range: larger ids cannot exist, and would overflow the int4 comparison. */
const MAX_ID = 2_147_483_647;

/**
 * A path/query id: digits only (no "1e3", "0x1f", " 7", "-1" that z.coerce.number would accept), 1…2^31-1.
 * Outputs a number; documented in OpenAPI as a positive integer.
 */
export const idSchema = z
  .string()
  .regex(/^[0-9]{1,10}$/, 'must be a positive whole number')
  .transform(Number)
  .pipe(z.number().int().min(1, 'must be a positive whole number').max(MAX_ID, `must be at most ${MAX_ID}`))
  .openapi({ type: 'integer', minimum: 1, maximum: MAX_ID, example: 7 });

/** `{ id }` route params, the common case (`/api/recommendations/[id]`). */
export const idParams = z.strictObject({ id: idSchema });

/** A whole-number query parameter in [min, max] (digits only), documented as an integer. */
export const intQuery = (min: number, max: number, fallback: number, description: string) => {
  const message = `must be a whole number from ${min} to ${max}`;
  return z
    .string()
    .regex(/^[0-9]{1,6}$/, message)
    .default(String(fallback))
    .transform(Number)
    .pipe(z.number().int().min(min, message).max(max, message))
    .openapi({ type: 'integer', minimum: min, maximum: max, default: fallback, description, example: fallback, pattern: undefined });
};

/** `limit` and `cursor` of a paginated list (lib/domain/shared/keyset-page.ts). */
export const pageQuery = z.strictObject({
  limit: intQuery(1, 100, 20, 'Items per page'),
  cursor: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,40}$/, 'is not a cursor this API gave out')
    .optional()
    .openapi({ description: 'The `next` of the previous page; omit for the first page', example: 'djE6MTIzNA' }),
});
