// `node cluster.mjs <n> <script> [args…]`: runs the script in n node:cluster workers sharing one port, so
// the peers of `npm run bench` run with as many processes as `npm start` (WEB_CONCURRENCY).
import cluster from 'node:cluster';

const [count, exec, ...args] = process.argv.slice(2);
cluster.setupPrimary({ exec, args });
for (let i = 0; i < Number(count); i++) cluster.fork();
cluster.on('exit', (worker, code) => {
  console.error(`cluster worker ${worker.process.pid} exited with ${code}`);
  process.exitCode = 1;
});
