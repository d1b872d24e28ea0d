import 'server-only';
import type { Identity } from '@/lib/auth/scopes';
import { fingerprint, parseIdempotencyKey, type WriteOptions, type WriteOutcome } from '@/lib/writes';

/**
 * Answers a write with its status, and makes it idempotent when the client sends `Idempotency-Key`
 * (IETF httpapi draft): a retry with the same key and request gets the first answer, stored with the write,
 * marked `Idempotent-Replayed: true`; nothing is written again.
 */
export async function writeAnswer<T>(
  ctx: { req: Request; identity: Identity; body?: unknown },
  status: number,
  write: (options: WriteOptions) => Promise<WriteOutcome<T>>,
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
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (out.replayed) {
    headers['idempotent-replayed'] = 'true';
    return new Response(out.answer.body, { status: out.answer.status, headers });
  }
  return new Response(out.body, { status, headers });
}
