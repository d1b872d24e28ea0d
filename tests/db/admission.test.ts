import { describe, expect, it } from 'vitest';
import { Admission } from '@/lib/db/admission';
import { ServiceUnavailableError } from '@/lib/errors';

/** Our own queue logic, with in-process gates standing in for slow queries. */
describe('database admission', () => {
  it('runs at most `concurrency` at once, starts waiters in order, and refuses those that waited too long', async () => {
    const admission = new Admission(2, 50);
    let running = 0;
    let peak = 0;
    const gates: (() => void)[] = [];
    const job = () =>
      admission.run(async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise<void>((resolve) => gates.push(resolve));
        running--;
        return 'ok';
      });
    const first = [job(), job(), job()];
    await new Promise((r) => setImmediate(r));
    expect(running).toBe(2);
    expect(admission.waiting).toBe(1);
    gates.shift()!();
    await first[0];
    await new Promise((r) => setImmediate(r));
    expect(running).toBe(2); // the waiter took the free place
    const late = job();
    await expect(late).rejects.toBeInstanceOf(ServiceUnavailableError);
    expect(((await late.catch((e: unknown) => e)) as ServiceUnavailableError).retryAfterSeconds).toBe(1);
    while (gates.length) gates.shift()!();
    expect(await Promise.all(first)).toEqual(['ok', 'ok', 'ok']);
    expect(peak).toBe(2);
    expect(admission.waiting).toBe(0);
  });

  it('lets a computation that holds a place run a nested one in it, even with every place taken', async () => {
    const admission = new Admission(1, 50);
    const nested = admission.run(() => admission.run(async () => 'inner'));
    const other = admission.run(async () => 'other');
    expect(await nested).toBe('inner');
    expect(await other).toBe('other');
    expect(admission.waiting).toBe(0);
  });
});
