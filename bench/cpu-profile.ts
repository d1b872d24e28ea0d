/**
 * Reading a V8 CPU profile (`node --cpu-prof`) of the production server: our code mapped back to its source
 * through the bundle's source map. Used by `npm run bench:profile`; also a command, for the profiles that
 * `BENCH_MISS_PROFILE` / `BENCH_LOAD_PROFILE` write:
 *
 *   npx tsx bench/cpu-profile.ts <file.cpuprofile> [top] [--stretches N] [--skip S] [--until U]
 *
 * prints the top functions by self time and by inclusive time (time with a function anywhere on the stack,
 * counted once per sample), as shares of the busy (not idle) time. With `--stretches N`: the N longest runs of
 * busy samples without an idle one in between (where an open-loop tail comes from: every request arriving
 * during one waits for its end), each with what was on the stack in it. `--skip S` leaves the first S seconds
 * of the profile out (start-up: module loading, Next's preloading of its entries); `--until U` what comes after
 * U seconds (with `--skip`, one phase of a run: e.g. the MISS phase of `npm run bench:miss`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}
export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** `file:line` of a frame, bundled code (ours and Next's chunks) mapped back to its source file where a map exists. */
export function frameLocator(root: string): (frame: ProfileNode['callFrame']) => string {
  let locate = locators.get(root);
  if (!locate) locators.set(root, (locate = newFrameLocator(root)));
  return locate;
}

// One per root: each reads and parses the source maps it needs once (--stretches asks for many windows).
const locators = new Map<string, (frame: ProfileNode['callFrame']) => string>();

/** `function — file:line`, the name both profile readers (CPU, heap) give a frame. */
export function frameName(locate: (frame: ProfileNode['callFrame']) => string, frame: ProfileNode['callFrame']): string {
  const where = locate(frame);
  return `${frame.functionName || '(anonymous)'}${where ? ` — ${where}` : ''}`;
}

/** The node flags that make the server write its CPU profile into `dir` when it exits (none without a dir). */
export const cpuProfArgs = (dir: string | undefined): string[] => (dir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(dir)}`] : []);

function newFrameLocator(root: string): (frame: ProfileNode['callFrame']) => string {
  const maps = new Map<string, SourceMap | null>();
  const mapOf = (url: string) => {
    if (!maps.has(url)) {
      const file = url.startsWith('file://') ? `${fileURLToPath(url)}.map` : '';
      maps.set(url, file && existsSync(file) ? new SourceMap(JSON.parse(readFileSync(file, 'utf8'))) : null);
    }
    return maps.get(url);
  };
  return (frame) => {
    if (!frame.url) return '';
    const url = frame.url.startsWith('/') ? pathToFileURL(frame.url).href : frame.url;
    const entry = mapOf(url)?.findEntry(frame.lineNumber, frame.columnNumber) as { originalSource?: string; originalLine?: number } | undefined;
    if (entry?.originalSource) {
      const resolved = new URL(entry.originalSource, url);
      const source = resolved.protocol === 'file:' ? path.relative(root, fileURLToPath(resolved)) : entry.originalSource.replace(/^[a-z]+:\/\/\/(\[project\]\/)?/, '');
      return `${source}:${entry.originalLine! + 1}`;
    }
    return `${url.replace(`file://${root}/`, '')}:${frame.lineNumber + 1}`;
  };
}

/** Self and inclusive µs per function (name — location), and the busy and idle µs, of the samples `keep` accepts. */
export function profileTimes(profile: CpuProfile, root: string, keep: (at: number) => boolean = () => true) {
  const locate = frameLocator(root);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const names = new Map<number, string>();
  const nameOf = (n: ProfileNode) => {
    let name = names.get(n.id);
    if (name === undefined) {
      names.set(n.id, (name = frameName(locate, n.callFrame)));
    }
    return name;
  };
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let busy = 0;
  let idle = 0;
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i] ?? 0;
    if (!keep(at)) return;
    const dt = profile.timeDeltas[i + 1] ?? 0; // a sample's time is the gap to the next one
    const n = byId.get(id)!;
    if (n.callFrame.functionName === '(idle)') return void (idle += dt);
    busy += dt;
    self.set(nameOf(n), (self.get(nameOf(n)) ?? 0) + dt);
    const seen = new Set<string>();
    for (let x: number | undefined = id; x !== undefined; x = parent.get(x)) {
      const name = nameOf(byId.get(x)!);
      if (seen.has(name)) continue;
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + dt);
    }
  });
  return { self, inclusive, busy, idle };
}

/** Runs of busy samples with no idle sample between them, longest first: [start, end) in the profile's µs. */
export function busyStretches(profile: CpuProfile): { start: number; end: number }[] {
  const idle = new Set(profile.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id));
  const out: { start: number; end: number }[] = [];
  let at = profile.startTime;
  let start: number | null = null;
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i] ?? 0;
    if (idle.has(id)) {
      if (start !== null) out.push({ start, end: at });
      start = null;
    } else start ??= at;
  });
  return out.sort((a, b) => b.end - b.start - (a.end - a.start));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const stretchesAt = args.indexOf('--stretches');
  const stretches = stretchesAt >= 0 ? Number(args.splice(stretchesAt, 2)[1]) : 0;
  const skipAt = args.indexOf('--skip');
  const skipS = skipAt >= 0 ? Number(args.splice(skipAt, 2)[1]) : 0;
  const untilAt = args.indexOf('--until');
  const untilS = untilAt >= 0 ? Number(args.splice(untilAt, 2)[1]) : Infinity;
  const [file, top = '30'] = args;
  if (!file) throw new Error('usage: npx tsx bench/cpu-profile.ts <file.cpuprofile> [top] [--stretches N] [--skip S] [--until U]');
  const root = path.resolve(import.meta.dirname, '..');
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const inWindow = (at: number) => at >= profile.startTime + skipS * 1e6 && at < profile.startTime + untilS * 1e6;
  const show = (title: string, m: Map<string, number>, busy: number, n = Number(top)) => {
    console.log(`\n${title}`);
    for (const [name, us] of [...m].filter(([k]) => k !== '(root)').sort((a, b) => b[1] - a[1]).slice(0, n)) {
      console.log(`${((100 * us) / busy).toFixed(1).padStart(5)} %  ${name}`);
    }
  };
  if (stretches > 0) {
    for (const { start, end } of busyStretches(profile).filter((b) => inWindow(b.start)).slice(0, stretches)) {
      const { inclusive, self, busy } = profileTimes(profile, root, (at) => at >= start && at < end);
      console.log(`\n=== ${((end - start) / 1000).toFixed(1)} ms busy from ${((start - profile.startTime) / 1e6).toFixed(3)} s`);
      show('self', self, busy, 8);
      show('inclusive', inclusive, busy, Number(top));
    }
  } else {
    const { self, inclusive, busy, idle } = profileTimes(profile, root, inWindow);
    console.log(`${(busy / 1e6).toFixed(1)} s busy, ${(idle / 1e6).toFixed(1)} s idle`);
    show('self time, share of busy time', self, busy);
    show('inclusive time (on the stack), share of busy time', inclusive, busy);
  }
}
