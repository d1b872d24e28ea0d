// The load generator of `npm run bench`, a child process of its own so it can be pinned to its own core
// and its CPU read from /proc. Closed loop (autocannon, N connections, each sends its next request when
// the previous answer arrives): it measures throughput. Every answer is checked (status, body bytes, X-Cache).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import autocannon from 'autocannon';

// autocannon hands onResponse the body as a utf8 string, which cannot give a gzip body's byte length (and
// building it costs the generator CPU): keep a byte count instead of the text.
const require = createRequire(import.meta.url);
const Queue = require('autocannon/lib/pipelinedRequestsQueue.js');
Queue.prototype.addBody = function addBody(data) {
  const request = this.peek();
  if (request) request.body = (request.body || 0) + data.length;
};

export function cpuTicks(pid = 'self') {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime
}

function header(headers, name) {
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name) return String(v);
  return null;
}

async function run(job) {
  let checked = 0;
  let mismatches = 0;
  const examples = [];
  const onResponse = (status, body, _context, headers) => {
    checked++;
    const bytes = typeof body === 'number' ? body : 0;
    const xcache = header(headers, 'x-cache');
    const encoding = header(headers, 'content-encoding');
    if (status !== job.expect.status || bytes !== job.expect.bytes || xcache !== job.expect.xcache || encoding !== job.expect.encoding) {
      mismatches++;
      if (examples.length < 3) examples.push({ status, bytes, xcache, encoding });
    }
  };
  const before = cpuTicks();
  const result = await autocannon({
    url: job.url,
    connections: job.connections,
    duration: job.seconds,
    headers: job.headers,
    ...(job.rate && { overallRate: job.rate }),
    requests: [{ method: 'GET', onResponse }],
  });
  const ticks = cpuTicks() - before;
  return {
    rps: result.requests.average,
    requests: result.requests.total,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
    checked,
    mismatches,
    examples,
    ticks,
  };
}

process.on('message', (job) => {
  run(job).then(
    (result) => process.send({ ok: true, result }),
    (error) => process.send({ ok: false, error: String(error) }),
  );
});
process.send({ ready: true });
