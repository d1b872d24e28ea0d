// The fast path alone on node:http (what `npm start` runs before Next), primed with the benchmarked answer.
import { createServer } from 'node:http';
import { serveFromCache } from '@/lib/api/fast-path';
import { getCache } from '@/lib/cache';
import { analytics } from '@/lib/resources/analytics';

await getCache().ready();
await analytics.lookup({ params: { id: Number(process.env.BENCH_ID) }, query: {}, identity: { kind: 'apikey', id: 0, name: 'bench', scopes: ['read'] } }, 'read');
createServer((req, res) => {
  void Promise.resolve(serveFromCache(req, res)).then((served) => {
    if (!served) res.writeHead(599).end();
  });
}).listen(Number(process.env.PORT), '127.0.0.1', () => process.send?.('ready'));
