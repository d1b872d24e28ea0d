import 'server-only';
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Stack frames of built code (Next's minified chunks, .next/mizaj-server.mjs) pointed back at the sources, through
 * the `.map` file beside each built file, read when a logged error first needs it. The server does not run with
 * `--enable-source-maps`: that makes node read and keep every loaded module's map (tens of MB) from the start and
 * decode one whenever any error's stack is read, even by a library that never logs it; the collector then marks all
 * of it in every full collection (the p99 under load, issue 11). Here only a logged stack pays: the first one from a
 * built file reads and decodes its map (a few hundred ms for one of Next's 3.3 MB maps), which is then kept, as node
 * keeps it, so an incident logging errors from many routes decodes each map once, not once per line.
 */
const maps = new Map<string, SourceMap | null>();
const FRAME = /^(\s*at (?:.*? \()?)((?:file:\/\/)?\/[^()]*?):(\d+):(\d+)(\)?)$/;

function mapFor(file: string): SourceMap | null {
  let map = maps.get(file);
  if (map !== undefined) return map;
  try {
    map = new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8')));
  } catch {
    // No map beside the file, or one that cannot be read: the frame stays as it is.
    map = null;
  }
  maps.set(file, map);
  return map;
}

/** The source a map names, relative to the working directory where it lies under it. */
function sourceName(source: string, mapFile: string): string {
  const absolute = source.startsWith('file://') ? fileURLToPath(source) : path.resolve(path.dirname(mapFile), source);
  const relative = path.relative(process.cwd(), absolute);
  return relative.startsWith('..') ? absolute : relative;
}

/** One frame line (`    at fn (/path/file.js:1:234)`) with its position in the source; unchanged when there is no map. */
export function sourceFrame(line: string): string {
  const m = FRAME.exec(line);
  if (!m) return line;
  const [, head, location, row, column, tail] = m;
  const file = location!.startsWith('file://') ? fileURLToPath(location!) : location!;
  const entry = mapFor(file)?.findEntry(Number(row) - 1, Number(column) - 1);
  if (!entry || !('originalSource' in entry)) return line;
  return `${head}${sourceName(entry.originalSource, `${file}.map`)}:${entry.originalLine + 1}:${entry.originalColumn + 1}${tail}`;
}
