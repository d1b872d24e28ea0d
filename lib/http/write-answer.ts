import 'server-only';
import type { Identity } from '@/lib/auth/scopes';
import { fingerprint, parseIdempotencyKey, type WriteOptions, type WriteOutcome } from '@/lib/write-door';
import { strongEtag } from './http-cache';

/**
 * Answers a write with its status, and makes it idempotent when the client sends `Idempotency-Key`
 * (IETF httpapi draft): a retry with the same key and request gets the first answer, stored with the write,
 * marked `Idempotent-Replayed: true`; nothing is written again. The answer carries the written resource's
 * ETag (what a GET of it sends next) and, for a creation, its Location.
 */
export async function writeAnswer<T>(
  ctx: { req: Request; identity: Identity; body?: unknown },
  status: number,
  write: (options: WriteOptions) => Promise<WriteOutcome<T>>,
  opts: { location?: (created: T) => string } = {},
): Promise<Response> {
  const key = parseIdempotencyKey(ctx.req.headers.get('idempotency-key'));
  const options: WriteOptions = key
    ? {
        idempotency: {
          request: { credential: `${ctx.identity.kind}:${ctx.identity.id}`, key, fingerprint: fingerprint(ctx.req.method, new URL(ctx.req.url).pathname, ctx.body) },
          status,
        },
      }
    : {};
  const out = await write(options);
  const [answerStatus, body] = out.replayed ? [out.answer.status, out.answer.body] : [status, out.body];
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (answerStatus < 300) {
    headers.etag = strongEtag(body);
    if (opts.location) headers.location = opts.location(out.replayed ? (JSON.parse(body) as T) : out.result);
  }
  if (out.replayed) headers['idempotent-replayed'] = 'true';
  return new Response(body, { status: answerStatus, headers });
}
