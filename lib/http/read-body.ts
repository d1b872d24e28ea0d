import 'server-only';
import { MalformedBodyError, PayloadTooLargeError, UnsupportedMediaTypeError } from './http-errors';

/** 64 KiB: the largest legitimate body (feedback with a comment) is a few KiB. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

const isJsonType = (contentType: string) => {
  const [essence, ...params] = contentType.split(';').map((s) => s.trim().toLowerCase());
  if (!essence || !(essence === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(essence))) return false;
  // JSON is UTF-8 (RFC 8259); refuse other declared charsets rather than mis-decode them.
  const charset = params.find((p) => p.startsWith('charset='))?.slice('charset='.length).replace(/"/g, '');
  return charset === undefined || charset === 'utf-8' || charset === 'utf8';
};

/**
 * Reads the body as bytes, never buffering more than `maxBytes` + one chunk: Content-Length is checked first
 * but not trusted, since a client may send more than it declared (or use chunked encoding).
 */
export async function readBodyBytes(req: Request, maxBytes: number): Promise<Uint8Array> {
  const declared = req.headers.get('content-length');
  if (declared !== null && /^\d+$/.test(declared) && Number(declared) > maxBytes) {
    await req.body?.cancel().catch(() => {});
    throw new PayloadTooLargeError(maxBytes);
  }
  if (!req.body) return new Uint8Array(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      throw new PayloadTooLargeError(maxBytes);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}

/**
 * The JSON body, or `undefined` when there is none (the schema then decides whether that is allowed).
 * Non-JSON content types are refused with 415 before the body is read.
 */
export async function readJsonBody(req: Request, maxBytes: number): Promise<unknown> {
  const contentType = req.headers.get('content-type');
  if (contentType !== null && !isJsonType(contentType)) {
    await req.body?.cancel().catch(() => {});
    throw new UnsupportedMediaTypeError(contentType);
  }
  const bytes = await readBodyBytes(req, maxBytes);
  if (bytes.byteLength === 0) return undefined;
  if (contentType === null) throw new UnsupportedMediaTypeError(null);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new MalformedBodyError('The request body is not valid UTF-8');
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new MalformedBodyError();
  }
}
