import 'server-only';
import { IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import busboy from 'next/dist/compiled/busboy/index.js';
import { headOf, judge, MAX_PAGE_BODY_BYTES } from '@/lib/json-api/request-gate';
import { refusalLocale, sendRefusal, type Refusal } from './refusal';

/**
 * Page POSTs carrying multipart/form-data are server-action forms. Next parses their body itself and answers
 * 500 on one it cannot parse, so such a body is read here first (within the gate's page body limit), parsed
 * with the parser Next will use for it, and refused with a 400 when broken; a sound body is handed to Next
 * as a fresh request that replays the same bytes. The head was already judged by the request gate.
 */

const MULTIPART = /^multipart\/form-data\s*;/i;
const API_LIKE = /^\/api(?:$|[/?%;#])/;

const BROKEN: Refusal = { status: 400, code: 'malformed_body', detail: 'The multipart form body could not be parsed' };
const TOO_LARGE: Refusal = { status: 413, code: 'payload_too_large', detail: `The request body is larger than ${MAX_PAGE_BODY_BYTES} bytes` };

/** Wraps the server's request listener: page multipart POSTs reach it only with a body Next can parse. */
export function screenPageForms(listener: RequestListener): RequestListener {
  return (req, res) => {
    if (!isPageForm(req)) return listener(req, res);
    void readBounded(req, MAX_PAGE_BODY_BYTES).then(async (body) => {
      if (body === undefined) return; // the client went away mid-body: nobody to answer
      if (body === 'too_large') return refuse(req, res, TOO_LARGE);
      if (!(await parses(req, body))) return refuse(req, res, BROKEN);
      listener(replay(req, body), res);
    });
  };
}

/** A page POST declaring a multipart body whose head the gate lets through (the gate answers the rest). */
function isPageForm(req: IncomingMessage): boolean {
  if (req.method !== 'POST' || !MULTIPART.test(req.headers['content-type'] ?? '')) return false;
  const url = req.url ?? '';
  if (API_LIKE.test(url)) return false;
  return !judge(req.method, url, headOf(req)).refusal;
}

function readBounded(req: IncomingMessage, limit: number): Promise<Buffer | 'too_large' | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      if (over) return; // drained, so the refusal can be written while the rest arrives
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      over = true;
      chunks.length = 0;
      resolve('too_large');
    });
    req.on('end', () => resolve(over ? 'too_large' : Buffer.concat(chunks, size)));
    // After 'end' this changes nothing (a promise settles once); before it, the client aborted.
    req.on('close', () => resolve(undefined));
    req.on('error', () => resolve(undefined));
  });
}

/**
 * Whether Next's own parser accepts the body: busboy for a fetch action (the `Next-Action` header), the
 * platform's FormData parser for a no-JS form post — the two Next uses (server/app-render/action-handler).
 */
async function parses(req: IncomingMessage, body: Buffer): Promise<boolean> {
  if (req.headers['next-action'] === undefined) {
    try {
      await new Request('http://localhost/', { method: 'POST', headers: { 'content-type': req.headers['content-type']! }, body: new Uint8Array(body) }).formData();
      return true;
    } catch {
      return false;
    }
  }
  return new Promise((resolve) => {
    let parser: ReturnType<typeof busboy>;
    try {
      parser = busboy({ headers: req.headers, defParamCharset: 'utf8' });
    } catch {
      return resolve(false); // a boundary busboy cannot read
    }
    parser.on('file', (_name, file) => file.resume());
    parser.on('error', () => resolve(false));
    parser.on('close', () => resolve(true));
    parser.end(body);
  });
}

/** A request Next can read as if it had arrived untouched: same head, same socket, the buffered body. */
function replay(req: IncomingMessage, body: Buffer): IncomingMessage {
  const copy = new IncomingMessage(req.socket);
  copy.method = req.method;
  copy.url = req.url;
  copy.httpVersion = req.httpVersion;
  copy.httpVersionMajor = req.httpVersionMajor;
  copy.httpVersionMinor = req.httpVersionMinor;
  copy.rawHeaders = req.rawHeaders;
  copy.headers = req.headers;
  copy.rawTrailers = req.rawTrailers;
  copy.trailers = req.trailers;
  copy.complete = true;
  copy.push(body);
  copy.push(null);
  return copy;
}

/** A browser's no-JS form post gets the localized page; a fetch action or any other client, problem+json. */
function refuse(req: IncomingMessage, res: ServerResponse, refusal: Refusal): void {
  const path = (req.url ?? '/').split('?')[0]!;
  const page = req.headers['next-action'] === undefined && /\btext\/html\b/.test(req.headers.accept ?? '');
  if (!res.headersSent) sendRefusal(res, refusal, page ? refusalLocale(path) : 'api', { instance: path });
}
