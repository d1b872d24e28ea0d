import 'server-only';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CachedAnswer } from './http-cache';

/**
 * Lets a cached route handler behind server.ts send its entry's stored gzip copy through Next, which would
 * otherwise gzip the JSON again for every answer (zlib was about a tenth of a FAST_PATH=off HIT's CPU in
 * `npm run bench:profile`). Next drops a route handler's Content-Encoding (next/dist/server/send-response.js,
 * FORBIDDEN_HEADERS) and then compresses what looks unencoded. So: server.ts marks the API GETs it hands to
 * Next (a client cannot: prepareIncoming drops the mark); the route handler answers a marked request from a
 * client that accepts gzip with the stored copy under a renamed Content-Encoding; and the name is restored as
 * Next copies the route handler's headers onto the node:http response, which happens before Next's compression
 * looks at them (it leaves an encoded answer alone). Without server.ts (next dev, a test calling a handler)
 * nothing is marked and the handler answers the JSON.
 */
export const STORED_GZIP_MARK = 'x-mizaj-stored-gzip';
const RENAMED_ENCODING = 'x-mizaj-content-encoding';

/** server.ts, for an API GET or HEAD it hands to Next. */
export function offerStoredGzip(req: IncomingMessage, res: ServerResponse): void {
  req.headers[STORED_GZIP_MARK] = '1';
  const setHeader = res.setHeader;
  res.setHeader = function (this: ServerResponse, name: string, value: number | string | readonly string[]) {
    return setHeader.call(this, name === RENAMED_ENCODING ? 'content-encoding' : name, value);
  } as ServerResponse['setHeader'];
}

/** The route handler: may it answer the stored gzip copy? */
export const storedGzipOffered = (headers: Headers) => headers.get(STORED_GZIP_MARK) === '1';

/** The route handler's answer (built for this request, so renamed in place) with its Content-Encoding renamed to pass through Next. */
export function throughNext(answer: CachedAnswer): CachedAnswer {
  const encoding = answer.headers['Content-Encoding'];
  if (encoding !== undefined) {
    delete answer.headers['Content-Encoding'];
    answer.headers[RENAMED_ENCODING] = encoding;
  }
  return answer;
}
