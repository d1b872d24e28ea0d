// bench/RESULTS.md: each bench script writes its figures into a section of its own, marked by name.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const FILE = path.join(import.meta.dirname, 'RESULTS.md');

const marked = (name: string) => new RegExp(`<!-- ${name}:start -->[\\s\\S]*<!-- ${name}:end -->`);
const current = () => (existsSync(FILE) ? readFileSync(FILE, 'utf8') : '# Benchmark results\n');

/** The section `name` as RESULTS.md holds it now, markers included; undefined when there is none yet. */
export function resultsSection(name: string): string | undefined {
  return marked(name).exec(current())?.[0];
}

/** Puts `section` (its `<!-- name:start -->` … `<!-- name:end -->` lines included) in place of the one before, or at the end. */
export function writeResultsSection(name: string, section: string): void {
  const text = current();
  writeFileSync(FILE, marked(name).test(text) ? text.replace(marked(name), () => section) : `${text.trimEnd()}\n\n${section}\n`);
}
