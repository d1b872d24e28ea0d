import 'server-only';
import type { z } from 'zod';
import type { FieldIssue } from '@/lib/errors';

export type InputLocation = 'params' | 'query' | 'body';

/**
 * Flattens zod issues into `{ path, message }` pairs. Paths are dotted and start with where the value came
 * from (`body.rating`, `params.id`, `query.days`), so a client can point at the exact field.
 */
export function toFieldIssues(error: z.ZodError, location?: InputLocation): FieldIssue[] {
  const out: FieldIssue[] = [];
  const join = (parts: readonly PropertyKey[]) =>
    [location, ...parts.map((p) => (typeof p === 'symbol' ? p.description ?? '?' : String(p)))].filter((p) => p !== undefined && p !== '').join('.') ||
    '(root)';
  for (const issue of error.issues) {
    // One entry per unexpected key, so each extra field is named where it is.
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push({ path: join([...issue.path, key]), message: 'Unrecognized field' });
      continue;
    }
    out.push({ path: join(issue.path), message: issue.message });
  }
  return out;
}
