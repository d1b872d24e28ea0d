/**
 * Production server: a cache-hit fast path on node:http in front of Next's request handler (DESIGN §4).
 * Built by scripts/build-server.mjs into .next/mizaj-server.mjs; `npm start` runs it.
 */
import { createServer } from 'node:http';
import next from 'next';
import { serveFromCache } from '@/lib/api/fast-path';
import { MAX_URL_BYTES, refuseRequest } from '@/lib/api/request-gate';
import { dropRouterVary } from '@/lib/http/api-vary';
import { refuseConnect, refuseUnparsed } from '@/lib/http/refusal';
import { scrubConsole } from '@/lib/log';

const port = Number(process.env.PORT ?? 3000);
// Not HOSTNAME: Docker sets that to the container id.
const hostname = process.env.HOST ?? '0.0.0.0';

// FAST_PATH=off sends every request through Next (to measure what the fast path saves: npm run bench).
const fastPath = process.env.FAST_PATH !== 'off';

// Next prints a page's errors itself (a failed query with its parameters): through the same scrubbing as our logs.
scrubConsole();

const app = next({ dev: false, hostname, port });
const handle = app.getRequestHandler();

await app.prepare();
const server = createServer((req, res) => {
  // Requests no route can serve are answered here, the same with or without the fast path.
  if (refuseRequest(req, res)) return;
  dropRouterVary(req.url, res);
  const served = fastPath ? serveFromCache(req, res) : false;
  if (served === true) return;
  if (served === false) return void handle(req, res);
  served.then(
    (ok) => (ok ? undefined : handle(req, res)),
    () => handle(req, res),
  );
});
// What the HTTP parser refuses (unknown method token, bytes not allowed in a target, oversized head) gets
// problem+json rather than Node's empty answer.
server.on('clientError', (error, socket) => refuseUnparsed(error, socket, MAX_URL_BYTES));
server.on('connect', (_req, socket) => refuseConnect(socket));
server.listen(port, hostname, () => {
  console.log(`› Mizaj listening on http://${hostname === '0.0.0.0' ? 'localhost' : hostname}:${port}`);
});
