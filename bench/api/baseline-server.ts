// npm run bench:load's capacity baseline: node:http + one Redis GET of a stored answer, no auth, no checks.
import { createServer } from 'node:http';
import Redis from 'ioredis';

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const key = process.env.BENCH_KEY!;
createServer(async (_req, res) => {
  const body = await redis.get(key);
  res.writeHead(200, { 'content-type': 'application/json' }).end(body);
}).listen(Number(process.env.PORT), '127.0.0.1', () => process.send?.('ready'));
