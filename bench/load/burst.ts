/**
 * Burst generator (run as its own process, pinned with taskset by bench/load.bench.ts, like open-loop.ts):
 *   node --import tsx bench/load/burst.ts <plan.json>
 *
 * `count` requests on one path, all due at the same instant, one per connection. Raw sockets and a request head
 * written once, not node:http's client: that spent longer sending each request than the server spends answering
 * a cached one, so the burst measured its client.
 * Each answer is read as far as it needs: status, X-Cache, Server-Timing db and Content-Length from the head,
 * then the body's length. Writes the same records as open-loop.ts, latency counted from the due instant.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { CACHE_CODE, RECORD, type Plan } from './open-loop-format';

const plan = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as Plan;
const burst = plan.burst!;
const timeoutMs = plan.timeoutMs ?? 10_000;
const records = new Float64Array(burst.count * RECORD);
const head = (path: string) => Buffer.from(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${plan.port}\r\nAuthorization: Bearer ${burst.key}\r\nAccept-Encoding: gzip\r\n\r\n`);

type Answer = { status: number; xcache: string | undefined; dbMs: number; bytesOk: boolean; withLength: boolean };

const CRLF2 = Buffer.from('\r\n\r\n');

/** The value of header `name` (given as `\r\nname:`, lower case) in the head, or undefined; names compared case-insensitively. */
function field(head: string, name: string): string | undefined {
  const at = head.indexOf(name);
  if (at < 0) return undefined;
  const end = head.indexOf('\r\n', at + name.length);
  return head.slice(at + name.length, end < 0 ? undefined : end).trim();
}

/** Reads one HTTP/1.1 answer from the socket (its head, then Content-Length bytes of body). */
function readAnswer(socket: Socket, done: (a: Answer) => void): void {
  let buffered: Buffer | undefined;
  let answer: Answer | undefined;
  let bodyLeft = 0;
  const onData = (chunk: Buffer) => {
    if (!answer) {
      buffered = buffered ? Buffer.concat([buffered, chunk]) : chunk;
      const end = buffered.indexOf(CRLF2);
      if (end < 0) return;
      // Lower-cased once, so each field is one indexOf (this process must stay cheap next to the server).
      const head = buffered.toString('latin1', 0, end + 2).toLowerCase();
      const length = field(head, '\r\ncontent-length:');
      const db = /(?:^|[,:]\s*)db;dur=([\d.]+)/.exec(field(head, '\r\nserver-timing:') ?? '');
      const xcache = field(head, '\r\nx-cache:');
      answer = { status: Number(head.slice(9, 12)), xcache: xcache?.toUpperCase(), dbMs: db ? Number(db[1]) : -1, bytesOk: length !== undefined, withLength: length !== undefined };
      bodyLeft = length === undefined ? 0 : Number(length);
      chunk = buffered.subarray(end + 4);
    }
    bodyLeft -= chunk.length;
    if (bodyLeft > 0) return;
    socket.off('data', onData);
    answer.bytesOk &&= bodyLeft === 0;
    done(answer);
  };
  socket.on('data', onData);
}

function open(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port: plan.port, noDelay: true }, () => resolve(socket));
    socket.once('error', reject);
  });
}

// Connections opened first: each carries one request on openOn, answered (200) before the burst is due.
let sockets: Socket[] | undefined;
if (burst.openOn) {
  sockets = await Promise.all(Array.from({ length: burst.count }, open));
  const first = head(burst.openOn);
  await Promise.all(
    sockets.map(
      (s) =>
        new Promise<void>((resolve, reject) => {
          readAnswer(s, (a) => (a.status === 200 ? resolve() : reject(new Error(`opening connections: ${burst.openOn} answered ${a.status}`))));
          s.write(first);
        }),
    ),
  );
}

let done = 0;
let lastSendMs = 0;
function end(): never {
  writeFileSync(plan.out, Buffer.from(records.buffer));
  process.stdout.write(JSON.stringify({ sent: burst.count, notSent: 0, maxGeneratorLagMs: Math.round(lastSendMs * 100) / 100 }) + '\n');
  process.exit(0);
}

const request = head(burst.path);
const t0 = performance.now() + 100;
setTimeout(() => {
  const epoch = performance.timeOrigin + t0;
  for (let i = 0; i < burst.count; i++) {
    const at = i * RECORD;
    records.set([epoch, 0, 0, CACHE_CODE.none, 0, -1, 0, -1, 0], at);
    const socket = sockets?.[i] ?? connect({ host: '127.0.0.1', port: plan.port, noDelay: true });
    const fail = () => {
      if (records[at + 1] !== 0) return;
      records[at + 1] = performance.now() - t0;
      if (++done === burst.count) end();
    };
    socket.once('error', fail);
    readAnswer(socket, (a) => {
      records[at + 1] = Math.max(performance.now() - t0, 1e-6);
      records[at + 2] = a.status;
      records[at + 3] = a.xcache === 'HIT' ? CACHE_CODE.HIT : a.xcache === 'STALE' ? CACHE_CODE.STALE : a.xcache === 'MISS' ? CACHE_CODE.MISS : CACHE_CODE.none;
      records[at + 5] = a.dbMs;
      records[at + 6] = a.bytesOk ? 1 : 0;
      records[at + 8] = a.withLength ? 0 : 1;
      if (++done === burst.count) end();
    });
    socket.write(request);
  }
  lastSendMs = performance.now() - t0;
  // What is still open then counts as failed (status 0), with its latency so far.
  setTimeout(() => {
    for (let at = 0; at < records.length; at += RECORD) if (records[at + 1] === 0) records[at + 1] = performance.now() - t0;
    end();
  }, timeoutMs);
}, Math.max(0, t0 - performance.now()));
