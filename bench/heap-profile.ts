/**
 * Reading a sampling heap profile of the server (`BENCH_LOAD_HEAP=<file> npm run bench:load`, which counts
 * collected allocations too): what allocates, by function, as shares of all bytes allocated.
 *
 *   npx tsx bench/heap-profile.ts <file.heapprofile> [top] [--requests N] [--stacks <regex>]
 *
 * Self bytes (allocated in the function itself) and inclusive bytes (with the function anywhere on the stack,
 * counted once per sample); our code mapped back to its source as in bench/cpu-profile.ts. `--requests N`
 * also prints bytes per request (N = the requests the server answered while it was sampled). `--stacks <regex>`
 * prints instead the call stacks that allocate in functions whose "name — location" matches, the heaviest first:
 * who calls what a library allocates (with BENCH_HEAP_SURVIVORS=1: who makes what outlives a scavenge).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { frameLocator, frameName, type ProfileNode } from './cpu-profile';

interface HeapNode {
  id: number;
  callFrame: ProfileNode['callFrame'];
  selfSize: number;
  children: HeapNode[];
}

/** Self and inclusive bytes per function (name — location), and the total bytes sampled. */
export function heapBytes(head: HeapNode, root: string) {
  const locate = frameLocator(root);
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  const walk = (n: HeapNode, stack: string[]) => {
    const name = frameName(locate, n.callFrame);
    const onStack = stack.includes(name) ? stack : [...stack, name];
    if (n.selfSize > 0) {
      total += n.selfSize;
      self.set(name, (self.get(name) ?? 0) + n.selfSize);
      for (const s of onStack) inclusive.set(s, (inclusive.get(s) ?? 0) + n.selfSize);
    }
    for (const c of n.children) walk(c, onStack);
  };
  walk(head, []);
  return { self, inclusive, total };
}

/** Bytes allocated in functions matching `pattern`, by the stack that led there (innermost frame first). */
export function allocatingStacks(head: HeapNode, root: string, pattern: RegExp): Map<string, number> {
  const locate = frameLocator(root);
  const stacks = new Map<string, number>();
  const walk = (n: HeapNode, stack: string[]) => {
    const here = [frameName(locate, n.callFrame), ...stack];
    if (n.selfSize > 0 && pattern.test(here[0]!)) {
      const key = here.filter((f) => f !== '(root)').join('\n    ← ');
      stacks.set(key, (stacks.get(key) ?? 0) + n.selfSize);
    }
    for (const c of n.children) walk(c, here);
  };
  walk(head, []);
  return stacks;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const option = (name: string) => {
    const at = args.indexOf(name);
    return at >= 0 ? args.splice(at, 2)[1] : undefined;
  };
  const requests = Number(option('--requests') ?? 0);
  const stacksOf = option('--stacks');
  const [file, top = '30'] = args;
  if (!file) throw new Error('usage: npx tsx bench/heap-profile.ts <file.heapprofile> [top] [--requests N] [--stacks <regex>]');
  const { head } = JSON.parse(readFileSync(file, 'utf8')) as { head: HeapNode };
  const root = path.resolve(import.meta.dirname, '..');
  const { self, inclusive, total } = heapBytes(head, root);
  const perRequest = (b: number) => (requests > 0 ? `  ${Math.round(b / requests).toLocaleString('en').padStart(8)} B/request` : '');
  console.log(`${(total / 2 ** 20).toFixed(1)} MiB allocated (sampled)${perRequest(total)}`);
  if (stacksOf) {
    const stacks = [...allocatingStacks(head, root, new RegExp(stacksOf))].sort((x, y) => y[1] - x[1]).slice(0, Number(top));
    for (const [stack, b] of stacks) console.log(`\n${((100 * b) / total).toFixed(1).padStart(5)} %${perRequest(b)}\n    ${stack}`);
  } else {
    const show = (title: string, m: Map<string, number>) => {
      console.log(`\n${title}`);
      for (const [name, b] of [...m].filter(([k]) => k !== '(root)').sort((x, y) => y[1] - x[1]).slice(0, Number(top))) {
        console.log(`${((100 * b) / total).toFixed(1).padStart(5)} %${perRequest(b)}  ${name}`);
      }
    };
    show('self bytes, share of all allocated', self);
    show('inclusive bytes (on the stack), share of all allocated', inclusive);
  }
}
