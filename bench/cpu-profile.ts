/**
 * Reading a V8 CPU profile (`node --cpu-prof`) of the production server: our code mapped back to its source
 * through the bundle's source map. Used by `npm run bench:profile`; also a command, for the profiles that
 * `BENCH_MISS_PROFILE` / `BENCH_LOAD_PROFILE` write:
 *
 *   npx tsx bench/cpu-profile.ts <file.cpuprofile> [top]
 *
 * prints the top functions by self time and by inclusive time (time with a function anywhere on the stack,
 * counted once per sample), as shares of the busy (not idle) time.
 */
import { readFileSync } from 'node:fs';
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

/** `file:line` of a frame, bundle locations mapped back to the source file. */
export function frameLocator(root: string): (frame: ProfileNode['callFrame']) => string {
  const bundleUrl = pathToFileURL(path.join(root, '.next/mizaj-server.mjs')).href;
  const sourceMap = new SourceMap(JSON.parse(readFileSync(path.join(root, '.next/mizaj-server.mjs.map'), 'utf8')));
  return (frame) => {
    if (!frame.url) return '';
    if (frame.url === bundleUrl) {
      const entry = sourceMap.findEntry(frame.lineNumber, frame.columnNumber) as { originalSource?: string; originalLine?: number };
      if (entry.originalSource) return `${path.relative(root, fileURLToPath(new URL(entry.originalSource, bundleUrl)))}:${entry.originalLine! + 1}`;
    }
    return `${frame.url.replace(`file://${root}/`, '')}:${frame.lineNumber + 1}`;
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
      const where = locate(n.callFrame);
      names.set(n.id, (name = `${n.callFrame.functionName || '(anonymous)'}${where ? ` — ${where}` : ''}`));
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

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [file, top = '30'] = process.argv.slice(2);
  if (!file) throw new Error('usage: npx tsx bench/cpu-profile.ts <file.cpuprofile> [top]');
  const { self, inclusive, busy, idle } = profileTimes(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, path.resolve(import.meta.dirname, '..'));
  const show = (title: string, m: Map<string, number>) => {
    console.log(`\n${title}`);
    for (const [name, us] of [...m].filter(([k]) => k !== '(root)').sort((a, b) => b[1] - a[1]).slice(0, Number(top))) {
      console.log(`${((100 * us) / busy).toFixed(1).padStart(5)} %  ${name}`);
    }
  };
  console.log(`${(busy / 1e6).toFixed(1)} s busy, ${(idle / 1e6).toFixed(1)} s idle`);
  show('self time, share of busy time', self);
  show('inclusive time (on the stack), share of busy time', inclusive);
}
