// What `npm run bench` records about the machine and its processes, read from /proc and git.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Clock ticks per second of /proc/<pid>/stat's utime and stime. */
export const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

function stat(pid: number): string[] | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null; // exited
  }
}

/** The pid and its descendants (a cluster primary and its workers, `next start` and any child it forks). */
export function processTree(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    const dir = `/proc/${out[i]}/task`;
    if (!existsSync(dir)) continue;
    for (const task of readdirSync(dir)) {
      try {
        const kids = readFileSync(`${dir}/${task}/children`, 'utf8').trim();
        if (kids) out.push(...kids.split(/\s+/).map(Number));
      } catch {
        // task ended meanwhile
      }
    }
  }
  return out;
}

/** utime + stime of a process tree, in clock ticks. */
export function treeTicks(pid: number): number {
  let total = 0;
  for (const p of processTree(pid)) {
    const f = stat(p);
    if (f) total += Number(f[11]) + Number(f[12]);
  }
  return total;
}

/**
 * Node processes of a tree that serve: those with no child of their own (a cluster primary, or a launcher that
 * forks the real server, does not count). taskset execs node in place, so a lone root counts.
 */
export function servingProcesses(pid: number): number {
  return processTree(pid).filter((p) => {
    try {
      const hasChildren = readdirSync(`/proc/${p}/task`).some((t) => readFileSync(`/proc/${p}/task/${t}/children`, 'utf8').trim() !== '');
      return !hasChildren && /node|next/.test(readFileSync(`/proc/${p}/comm`, 'utf8'));
    } catch {
      return false; // exited
    }
  }).length;
}

export function machine() {
  const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8' }).trim();
  const dirty = git('status', '--porcelain', '--', 'app', 'lib', 'server.ts', 'package.json').length > 0;
  return {
    sha: `${git('rev-parse', '--short=12', 'HEAD')}${dirty ? ' (uncommitted changes in app/ lib/ server.ts)' : ''}`,
    cpu: `${os.cpus().length} × ${os.cpus()[0]?.model.trim() ?? 'unknown CPU'}`,
    node: process.version,
    load: () => os.loadavg().map((x) => x.toFixed(2)).join(' / '),
  };
}

const SOURCES = ['app', 'lib', 'messages', 'drizzle', 'server.ts', 'proxy.ts', 'instrumentation.ts', 'next.config.ts', 'package-lock.json', 'scripts/build-server.mjs'];

function newest(file: string): { mtime: number; file: string } {
  const s = statSync(file);
  if (!s.isDirectory()) return { mtime: s.mtimeMs, file };
  let best = { mtime: 0, file };
  for (const entry of readdirSync(file)) {
    const n = newest(path.join(file, entry));
    if (n.mtime > best.mtime) best = n;
  }
  return best;
}

/** Throws when the production build is missing or older than a source it is built from. */
export function assertFreshBuild(root: string): Date {
  const outputs = ['.next/BUILD_ID', '.next/mizaj-server.mjs'].map((f) => path.join(root, f));
  const missing = outputs.find((f) => !existsSync(f));
  if (missing) throw new Error(`no production build (${path.relative(root, missing)}): run \`npm run build\` first`);
  const built = Math.min(...outputs.map((f) => statSync(f).mtimeMs));
  let src = { mtime: 0, file: '' };
  for (const s of SOURCES.map((f) => path.join(root, f)).filter(existsSync)) {
    const n = newest(s);
    if (n.mtime > src.mtime) src = n;
  }
  if (src.mtime > built) throw new Error(`the production build (${new Date(built).toISOString()}) is older than ${path.relative(root, src.file)} (${new Date(src.mtime).toISOString()}): run \`npm run build\``);
  return new Date(built);
}

/** Resident memory of a process tree now (VmRSS of each process, summed), in bytes. */
export function treeRssBytes(pid: number): number {
  let total = 0;
  for (const p of processTree(pid)) {
    try {
      const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${p}/status`, 'utf8'));
      if (m) total += Number(m[1]) * 1024;
    } catch {
      // exited
    }
  }
  return total;
}
