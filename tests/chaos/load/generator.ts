/**
 * The open-loop load generator: a process of its own (forked by load-client.ts), so the harness's own work
 * and the faults it injects never slow the clients down. Each request is sent when it is due whatever
 * happened to the earlier ones, and its latency counts from when it was due: a stall cannot hide as a
 * lower request rate (coordinated omission).
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import { CAPTURED_HEADERS, type FromGenerator, type LoadRequest, type LoadResult, type ToGenerator } from './protocol';

const maxSockets = Number(process.env.LOAD_MAX_SOCKETS ?? 256);
const timeoutMs = Number(process.env.LOAD_TIMEOUT_MS ?? 15_000);
// Idle sockets are dropped after 4 s, before the server's keep-alive timeout (5 s). Without an agent timeout,
// node's agent keeps them for ever and ignores the server's `Keep-Alive: timeout=5` hint (it only shortens a
// timeout that is set): a request that reuses a socket whose FIN arrived while this process was busy gets
// ECONNRESET (reused socket) — a client fault, and a failed read in a fault scenario's figures.
const agent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets, timeout: 4_000 });

// Wall-clock ms, as the harness reads it (it times its faults with Date.now()), with sub-ms steps from the
// monotonic clock. performance.timeOrigin alone drifts from Date.now() on this VM by seconds.
let wallBase = Date.now() - performance.now();
const now = () => wallBase + performance.now();
const send = (m: FromGenerator) => process.send!(m);

function fire(req: LoadRequest, i: number, scheduled: number, out: LoadResult[], parent?: number): Promise<void> {
  return new Promise((resolve) => {
    const result: LoadResult = { i, tag: req.tag, method: req.method, url: req.url, scheduled, sent: now(), end: 0, headers: {} };
    if (parent !== undefined) result.parent = parent;
    let settled = false;
    const finish = () => {
      if (settled) return;
      settled = true;
      result.end = now();
      out.push(result);
      if (req.then) void fire(req.then, i, result.end, out, i).then(resolve);
      else resolve();
    };
    const r = http.request(req.url, { method: req.method, headers: req.headers, agent }, (res) => {
      result.status = res.statusCode;
      for (const h of CAPTURED_HEADERS) {
        const v = res.headers[h];
        if (typeof v === 'string') result.headers[h] = v;
      }
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (e: NodeJS.ErrnoException) => {
        result.error = `body: ${e.code ?? e.message}`;
        finish();
      });
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        if (req.hashBody) result.bodyHash = createHash('sha1').update(body).digest('hex');
        if (req.capture?.length && result.headers['content-type']?.includes('json')) {
          try {
            const json = JSON.parse(body.toString()) as Record<string, unknown>;
            result.fields = Object.fromEntries(req.capture.map((f) => [f, json[f]]));
          } catch {
            result.error = 'invalid json';
          }
        }
        finish();
      });
    });
    r.on('socket', () => {
      result.reused = r.reusedSocket;
    });
    r.setTimeout(timeoutMs, () => r.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    r.on('error', (e: NodeJS.ErrnoException) => {
      result.error = e.code ?? e.message;
      finish();
    });
    r.end(req.body);
  });
}

function run({ id, requests }: ToGenerator): void {
  const order = requests.map((_, i) => i).sort((a, b) => requests[a]!.at - requests[b]!.at);
  const out: LoadResult[] = [];
  const pending: Promise<void>[] = [];
  wallBase = Date.now() - performance.now();
  const t0 = now();
  send({ type: 'started', id, t0 });
  let next = 0;
  const tick = () => {
    const elapsed = now() - t0;
    while (next < order.length && requests[order[next]!]!.at <= elapsed) {
      const i = order[next++]!;
      pending.push(fire(requests[i]!, i, t0 + requests[i]!.at, out));
    }
    if (next < order.length) setTimeout(tick, Math.max(0, requests[order[next]!]!.at - (now() - t0)));
    else void Promise.all(pending).then(() => send({ type: 'done', id, results: out }));
  };
  tick();
}

process.on('message', (m: ToGenerator) => {
  if (m.type === 'run') run(m);
});
// The harness going away (crash, Ctrl-C) takes the generator with it.
process.on('disconnect', () => process.exit(0));
