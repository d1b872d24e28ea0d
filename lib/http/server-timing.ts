import 'server-only';

/** Collects `Server-Timing` metrics (name → milliseconds) for one request. */
export class Timing {
  private readonly entries: { name: string; dur: number; desc?: string }[] = [];

  add(name: string, durMs: number, desc?: string): void {
    this.entries.push({ name, dur: durMs, desc });
  }

  /** Times `fn` under `name` (also when it throws, so a slow failing query still shows up). */
  async measure<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const start = performance.now();
    try {
      return await fn();
    } finally {
      this.add(name, performance.now() - start);
    }
  }

  header(): string {
    return formatServerTiming(this.entries);
  }
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export function formatServerTiming(entries: readonly { name: string; dur?: number; desc?: string }[]): string {
  return entries
    .filter((e) => TOKEN.test(e.name))
    .map((e) => {
      let s = e.name;
      if (e.dur !== undefined && Number.isFinite(e.dur)) s += `;dur=${Math.round(e.dur * 10) / 10}`;
      if (e.desc) s += `;desc="${e.desc.replace(/["\\]/g, '')}"`;
      return s;
    })
    .join(', ');
}
