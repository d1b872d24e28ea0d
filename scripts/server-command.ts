import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * How the built server is started, declared once: package.json's "start" script (`node [flags] <bundle>`).
 * Benchmarks and tests that start the server themselves (pinned with taskset, under a profiler, as the
 * target of a fault) take its node flags from here, so they measure and test the process production runs.
 *
 * Returns the arguments after the node binary: the start script's flags, then `extra`, then the bundle.
 */
export function serverArgv(root: string, extra: readonly string[] = []): string[] {
  const start = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.start ?? '';
  const m = /\bnode((?: --[\w-]+(?:=\S+)?)*) (\S+\.mjs)$/.exec(start);
  if (!m) throw new Error(`package.json "start" is not "… node [--flags] <bundle>.mjs": ${start}`);
  return [...m[1]!.split(' ').filter(Boolean), ...extra, path.join(root, m[2]!)];
}
