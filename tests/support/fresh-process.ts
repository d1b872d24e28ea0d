import { spawnSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * Runs an ES module script in a node process of its own (with the project's TypeScript loader and any node flags),
 * for what a test cannot see in its own worker: a thread's priority, what the collector did. Its stdout, or throws
 * with its stderr.
 */
export function runInFreshProcess(script: string, nodeFlags: string[] = []): string {
  const r = spawnSync(process.execPath, [...nodeFlags, '--conditions=react-server', '--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout;
}

/** An absolute import specifier for a project file, to put in such a script. */
export const projectModule = (file: string): string => JSON.stringify(path.join(ROOT, file));
