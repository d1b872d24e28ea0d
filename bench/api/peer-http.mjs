// Peers of `npm start` in `npm run bench`: node:http sending the product's own answer bytes, either from
// memory (BENCH_MODE=bare) or with one Redis GET per request (BENCH_MODE=redis). The gzip copy goes to
// clients that accept it, as the fast path does.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { Redis } from 'ioredis';

const mode = process.env.BENCH_MODE;
const identity = readFileSync(process.env.BENCH_BODY_FILE);
const gzip = readFileSync(process.env.BENCH_GZIP_FILE);
const redis = mode === 'redis' ? new Redis(process.env.REDIS_URL) : null;
const keyPrefix = process.env.BENCH_REDIS_KEY;

function send(res, body, gz) {
  res.writeHead(200, {
    'content-type': 'application/json',
    'content-length': String(body.byteLength),
    vary: 'Accept-Encoding',
    ...(gz && { 'content-encoding': 'gzip' }),
  });
  res.end(body);
}

createServer((req, res) => {
  const gz = (req.headers['accept-encoding'] ?? '').includes('gzip');
  if (!redis) return send(res, gz ? gzip : identity, gz);
  redis.getBuffer(`${keyPrefix}:${gz ? 'gzip' : 'identity'}`).then(
    (body) => send(res, body, gz),
    () => res.writeHead(500).end(),
  );
}).listen(Number(process.env.PORT), '127.0.0.1');
