// Next's constant-JSON app (bench/next-const), the framework's ceiling that `npm run bench` and
// `BENCH_PROFILE_PEER=next-const npm run bench:profile` hold the product to.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const NEXT_BIN_PATH = 'node_modules/next/dist/bin/next';
const APP = 'bench/next-const';
const DIST = '.data/bench-next-const'; // next.config.mjs's distDir: gitignored, outside tsconfig and eslint

/** `next start` of the app, for `node`. */
export function nextConstArgv(root: string, port: number): string[] {
  return [path.join(root, NEXT_BIN_PATH), 'start', path.join(root, APP), '-p', String(port), '-H', '127.0.0.1'];
}

/** Builds the app when its sources (or Next) are newer than its build, then checks that what it runs is its own. */
export function ensureNextConstBuild(root: string, env: NodeJS.ProcessEnv): void {
  const app = path.join(root, APP);
  const buildId = path.join(root, DIST, 'BUILD_ID');
  const sources = [...walk(app), path.join(root, NEXT_BIN_PATH)].map((f) => statSync(f).mtimeMs);
  if (!existsSync(buildId) || statSync(buildId).mtimeMs < Math.max(...sources)) {
    console.log(`building ${APP} …`);
    const r = spawnSync(process.execPath, [path.join(root, NEXT_BIN_PATH), 'build', app], { env: { ...env, BENCH_BODY_FILE: '' }, stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`next build of ${APP} failed`);
  }
  assertRunsNothingOfOurs(root);
}

/**
 * Turbopack, rooted at the repository for its node_modules, takes the product's instrumentation.ts into an app
 * that has no hook of its own: the peer then started the product's background work (Redis, PostgreSQL, the
 * samplers) on every run. Every source file of the chunks its instrumentation hook and its route load must be
 * the app's own or a package's.
 */
function assertRunsNothingOfOurs(root: string): void {
  const server = path.join(root, DIST, 'server');
  const entries = ['instrumentation.js', 'app/api/analytics/recommendation/[id]/route.js'];
  const foreign = new Set<string>();
  for (const entry of entries) {
    const trace = JSON.parse(readFileSync(path.join(server, `${entry}.nft.json`), 'utf8')) as { files: string[] };
    for (const file of trace.files.filter((f) => f.endsWith('.js'))) {
      const chunk = path.resolve(path.dirname(path.join(server, entry)), file);
      if (!existsSync(`${chunk}.map`)) continue;
      const map = JSON.parse(readFileSync(`${chunk}.map`, 'utf8')) as { sources?: string[]; sections?: { map: { sources: string[] } }[] };
      const sources = map.sections ? map.sections.flatMap((s) => s.map.sources) : (map.sources ?? []);
      for (const source of sources) {
        if (source.startsWith('turbopack:')) continue;
        const file = path.relative(root, path.resolve(path.dirname(chunk), decodeURIComponent(source)));
        if (!file.startsWith(`${APP}/`) && !file.startsWith('node_modules/')) foreign.add(file);
      }
    }
  }
  if (foreign.size) throw new Error(`${APP}'s build runs files of the product: ${[...foreign].join(', ')}`);
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? walk(path.join(dir, d.name)) : [path.join(dir, d.name)]));
}
