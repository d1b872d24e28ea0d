import 'server-only';
import { z } from 'zod';
import { toFieldIssues, ValidationError, type InputLocation } from '@/lib/errors';

/**
 * Objects default to strict here: an unknown field is a client bug (a typo'd `ratting` would otherwise be
 * dropped silently). A schema that chose `z.looseObject` or `.catchall()` keeps its choice.
 */
export function strictByDefault<S extends z.ZodType>(schema: S): S {
  if (schema instanceof z.ZodObject && schema._zod.def.catchall === undefined) return schema.strict() as unknown as S;
  return schema;
}

/**
 * The parsed input, or a ValidationError thrown. Synchronous unless the schema has async parts: under Next every
 * promise pays AsyncLocalStorage's hooks, and no schema of ours needs one.
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, location: InputLocation): z.output<S> | Promise<z.output<S>> {
  let result: z.ZodSafeParseResult<z.output<S>>;
  try {
    result = schema.safeParse(value);
  } catch (error) {
    if (error instanceof z.core.$ZodAsyncError) return schema.safeParseAsync(value).then((r) => checked(r, location));
    throw error;
  }
  return checked(result, location);
}

function checked<T>(result: z.ZodSafeParseResult<T>, location: InputLocation): T {
  if (result.success) return result.data;
  throw new ValidationError(`Invalid ${location}`, toFieldIssues(result.error, location));
}

/** Query string → object; a repeated key becomes an array, so schemas decide whether repeats are allowed. */
export function searchParamsToObject(params: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of params) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}
