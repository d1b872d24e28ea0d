/**
 * Production server: a cache-hit fast path on node:http in front of Next's request handler (DESIGN §4).
 * Built by scripts/build-server.mjs into .next/mizaj-server.mjs; `npm start` runs it.
 */
import cluster from 'node:cluster';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Server as NetServer } from 'node:net';
import next from 'next';
import { serveFromCache } from '@/lib/json-api/fast-path';
import { MAX_URL_BYTES, refuseRequest } from '@/lib/json-api/request-gate';
import { prepareForNext, prepareIncoming } from '@/lib/http/incoming';
import { lingerOnClose } from '@/lib/http/lingering-close';
import { screenPageForms } from '@/lib/http/page-form';
import { refuseConnect, refuseUnparsed } from '@/lib/http/refusal';
import { scrubConsole } from '@/lib/log';
import { lowerHelperThreads } from '@/lib/server/helper-threads';
import { runPrimary, workerCount } from '@/lib/server/primary';

// Whatever is still open after DRAIN_MS is cut, inside a 10 s grace (the primary's too: lib/server/primary.ts).
const DRAIN_MS = 9_000;
const LISTEN_BACKLOG = 4096;

const port = Number(process.env.PORT ?? 3000);
// Not HOSTNAME: Docker sets that to the container id.
const hostname = process.env.HOST ?? '0.0.0.0';

// FAST_PATH=off sends every request through Next (to measure what the fast path saves: npm run bench).
const fastPath = process.env.FAST_PATH !== 'off';

// Next prints a page's errors itself (a failed query with its parameters): through the same scrubbing as our logs.
scrubConsole();

async function serve(): Promise<void> {
  lowerHelperThreads();
  const app = next({ dev: false, hostname, port });
  const nextHandler = app.getRequestHandler();
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    prepareForNext(req, res);
    return nextHandler(req, res);
  };

  await app.prepare();
  let closing = false;
  const server = createServer(screenPageForms((req, res) => {
    // Draining: this connection closes after its answer, so the client's next request opens a new one (refused).
    if (closing) res.setHeader('Connection', 'close');
    // Requests no route can serve are answered here, the same with or without the fast path.
    if (refuseRequest(req, res)) return;
    prepareIncoming(req);
    const served = fastPath ? serveFromCache(req, res) : false;
    if (served === true) return;
    if (served === false) return void handle(req, res);
    served.then(
      (ok) => (ok ? undefined : handle(req, res)),
      () => handle(req, res),
    );
  }));
  // A connection closed after an answer keeps reading what the client still sends, so a reset cannot discard the answer.
  server.on('connection', lingerOnClose);
  // What the HTTP parser refuses (unknown method token, bytes not allowed in a target, oversized head) gets
  // problem+json rather than Node's empty answer.
  server.on('clientError', (error, socket) => refuseUnparsed(error, socket, MAX_URL_BYTES));
  server.on('connect', (_req, socket) => refuseConnect(socket));
  // Node's default accept queue is 511: a burst of new connections larger than that (a mobile fleet reconnecting)
  // overflows it while the event loop is busy, and each dropped SYN costs its client a 1 s retransmission.
  // The kernel caps this at net.core.somaxconn.
  server.listen({ port, host: hostname, backlog: LISTEN_BACKLOG }, () => {
    console.log(`› Mizaj listening on http://${hostname === '0.0.0.0' ? 'localhost' : hostname}:${port}`);
  });

  // SIGTERM (an orchestrator stopping us) or SIGINT: stop accepting, let in-flight requests finish, exit 0.
  // net.Server's close, not http.Server's: that one also drops the keep-alive sockets it deems idle, and under
  // load those include sockets whose next request has arrived but is not parsed yet (their clients get a reset).
  // Idle sockets close on the keep-alive timeout (5 s) instead; a request they carry meanwhile is answered with
  // Connection: close. Whatever is still open after 9 s is cut, inside a 10 s grace.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      if (closing) return;
      closing = true;
      console.log(`› ${signal}: draining connections, exiting within ${DRAIN_MS / 1000} s`);
      NetServer.prototype.close.call(server, () => process.exit(0));
      setTimeout(() => {
        server.closeAllConnections();
        process.exit(0);
      }, DRAIN_MS).unref();
    });
  }
}

// One worker per core behind a node:cluster primary; WEB_CONCURRENCY=1 serves from this process alone.
const workers = workerCount();
if (workers > 1 && cluster.isPrimary) runPrimary(workers, DRAIN_MS);
else await serve();
