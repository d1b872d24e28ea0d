/**
 * Production server: a cache-hit fast path on node:http in front of Next's request handler (DESIGN §4).
 * Built by scripts/build-server.mjs into .next/mizaj-server.mjs; `npm start` runs it.
 */
import { createServer } from 'node:http';
import next from 'next';
import { serveFromCache } from '@/lib/api/fast-path';
import { prepareIncoming } from '@/lib/http/incoming';

const port = Number(process.env.PORT ?? 3000);
// Not HOSTNAME: Docker sets that to the container id.
const hostname = process.env.HOST ?? '0.0.0.0';

// FAST_PATH=off sends every request through Next (to measure what the fast path saves: npm run bench).
const fastPath = process.env.FAST_PATH !== 'off';

const app = next({ dev: false, hostname, port });
const handle = app.getRequestHandler();

await app.prepare();
createServer((req, res) => {
  prepareIncoming(req, res);
  const served = fastPath ? serveFromCache(req, res) : false;
  if (served === true) return;
  if (served === false) return void handle(req, res);
  served.then(
    (ok) => (ok ? undefined : handle(req, res)),
    () => handle(req, res),
  );
}).listen(port, hostname, () => {
  console.log(`› Mizaj listening on http://${hostname === '0.0.0.0' ? 'localhost' : hostname}:${port}`);
});
