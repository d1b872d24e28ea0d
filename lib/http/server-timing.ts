import 'server-only';

/** Collects `Server-Timing` metrics (name → milliseconds) for one request. */
export class Timing {
  private readonly entries: { name: string; dur: number; desc?: string }[] = [];

  add(name: string, durMs: number, desc?: string): void {
    this.entries.push({ name, dur: durMs, desc });
  }

  header(): string {
    return formatServerTiming(this.entries);
  }
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export function formatServerTiming(entries: readonly { name: string; dur?: number; desc?: string }[]): string {
  // A loop, not filter/map/join: the fast path formats one for every hit.
  let out = '';
  for (const e of entries) {
    if (!TOKEN.test(e.name)) continue;
    if (out) out += ', ';
    out += e.name;
    if (e.dur !== undefined && Number.isFinite(e.dur)) out += `;dur=${Math.round(e.dur * 10) / 10}`;
    if (e.desc) out += `;desc="${e.desc.replace(/["\\]/g, '')}"`;
  }
  return out;
}
