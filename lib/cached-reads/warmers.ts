import 'server-only';
import { getCache } from '@/lib/cache';
import { getDb } from '@/lib/db/client';
import { RESOURCES } from '@/lib/resources';

const registered = Symbol.for('mizaj.warmers');
type Holder = { [registered]?: object };

/** Each resource's declared hot set, registered with its category once per cache instance. */
export function registerWarmers(): void {
  const cache = getCache();
  const holder = globalThis as Holder;
  if (holder[registered] === cache) return;
  holder[registered] = cache;
  for (const resource of RESOURCES) {
    if (resource.warms) cache.registerWarmer(resource.category, async () => resource.warmTasks(await getDb()));
  }
}
