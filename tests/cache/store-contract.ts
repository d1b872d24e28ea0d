import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CacheStore } from '@/lib/cache/types';
import { waitFor } from './support/own-redis';

export interface ContractTarget {
  store: CacheStore;
  /** Unique key prefix for this run. */
  prefix: string;
  cleanup(): Promise<void>;
}

/** The one suite every store must pass (memory, Redis, Cluster, chaos wrapper with chaos off). */
export function runStoreContract(name: string, make: () => Promise<ContractTarget>): void {
  describe(`store contract: ${name}`, () => {
    let t: ContractTarget;
    let k: (s: string) => string;
    beforeAll(async () => {
      t = await make();
      k = (s) => `${t.prefix}:${s}`;
    });
    afterAll(async () => {
      await t.cleanup();
    });

    it('is available and answers ping with a latency', async () => {
      expect(t.store.available()).toBe(true);
      expect(await t.store.ping()).toBeGreaterThanOrEqual(0);
    });

    it('mget returns values in key order with null for missing keys', async () => {
      await t.store.exec([
        { op: 'set', key: k('a'), value: 'A', ttlMs: 10_000 },
        { op: 'set', key: k('b'), value: 'B', ttlMs: 10_000 },
      ]);
      expect(await t.store.mget([k('b'), k('missing'), k('a')])).toEqual(['B', null, 'A']);
      expect(await t.store.mget([])).toEqual([]);
    });

    it('stores unicode, newlines and large values exactly', async () => {
      const big = 'x'.repeat(512 * 1024);
      const uni = 'مزاج گرم و تر\n🌿\u0000end';
      await t.store.exec([
        { op: 'set', key: k('big'), value: big, ttlMs: 10_000 },
        { op: 'set', key: k('uni'), value: uni, ttlMs: 10_000 },
      ]);
      expect(await t.store.mget([k('big'), k('uni')])).toEqual([big, uni]);
    });

    it('set applies a TTL that pttl reports and that expires the key', async () => {
      await t.store.exec([{ op: 'set', key: k('ttl'), value: 'v', ttlMs: 150 }]);
      const left = await t.store.pttl(k('ttl'));
      expect(left).toBeGreaterThan(0);
      expect(left).toBeLessThanOrEqual(150);
      expect(await t.store.pttl(k('nope'))).toBe(-2);
      await waitFor(async () => (await t.store.mget([k('ttl')]))[0] === null, 2_000);
    });

    it('setIfAbsent writes once and returns the stored value', async () => {
      const [first] = await t.store.exec([{ op: 'setIfAbsent', key: k('nx'), value: 'one', ttlMs: 10_000 }]);
      const [second] = await t.store.exec([{ op: 'setIfAbsent', key: k('nx'), value: 'two', ttlMs: 10_000 }]);
      expect(first).toBe('one');
      expect(second).toBe('one');
      expect(await t.store.mget([k('nx')])).toEqual(['one']);
    });

    it('extend only lengthens an existing key', async () => {
      await t.store.exec([{ op: 'set', key: k('ext'), value: 'v', ttlMs: 5_000 }]);
      await t.store.exec([{ op: 'extend', key: k('ext'), ttlMs: 60_000 }]);
      expect(await t.store.pttl(k('ext'))).toBeGreaterThan(5_000);
      await t.store.exec([{ op: 'extend', key: k('ext'), ttlMs: 1_000 }]);
      expect(await t.store.pttl(k('ext'))).toBeGreaterThan(5_000);
      await t.store.exec([{ op: 'extend', key: k('ext-missing'), ttlMs: 1_000 }]);
      expect(await t.store.pttl(k('ext-missing'))).toBe(-2);
    });

    it('stores bytes exactly, and gives any value back as bytes', async () => {
      const bytes = Buffer.from([0xff, 0, 10, 0x80, 0xc3, 0x28, 13, 0]);
      await t.store.exec([
        { op: 'set', key: k('bytes'), value: bytes, ttlMs: 10_000 },
        { op: 'set', key: k('text'), value: 'مزاج', ttlMs: 10_000 },
      ]);
      const [back, text, missing] = await t.store.mgetBuffer([k('bytes'), k('text'), k('missing')]);
      expect(back!.equals(bytes)).toBe(true);
      expect(text!.equals(Buffer.from('مزاج'))).toBe(true);
      expect(missing).toBeNull();
      back!.fill(1); // a reader's copy: what is stored does not change
      expect((await t.store.mgetBuffer([k('bytes')]))[0]!.equals(bytes)).toBe(true);
      expect(await t.store.mgetBuffer([])).toEqual([]);
    });

    it('replaceIf writes only over a value with the expected prefix', async () => {
      await t.store.exec([{ op: 'set', key: k('cas'), value: Buffer.from('head-1\nbody\xff', 'latin1'), ttlMs: 10_000 }]);
      expect(await t.store.exec([{ op: 'replaceIf', key: k('cas'), ifStartsWith: 'head-2', value: Buffer.from('x'), ttlMs: 10_000 }])).toEqual([0]);
      expect(await t.store.exec([{ op: 'replaceIf', key: k('cas'), ifStartsWith: 'head-1', value: Buffer.from([104, 0xff, 10]), ttlMs: 5_000 }])).toEqual([1]);
      expect((await t.store.mgetBuffer([k('cas')]))[0]!.equals(Buffer.from([104, 0xff, 10]))).toBe(true);
      expect(await t.store.pttl(k('cas'))).toBeLessThanOrEqual(5_000);
      expect(await t.store.exec([{ op: 'replaceIf', key: k('cas-missing'), ifStartsWith: '', value: Buffer.from('x'), ttlMs: 10_000 }])).toEqual([0]);
      expect(await t.store.mget([k('cas-missing')])).toEqual([null]);
    });

    it('exec returns one result per op, in order', async () => {
      const res = await t.store.exec([
        { op: 'set', key: k('e1'), value: '1', ttlMs: 10_000 },
        { op: 'setIfAbsent', key: k('e1'), value: '2', ttlMs: 10_000 },
        { op: 'del', key: k('e1') },
        { op: 'del', key: k('e1') },
        { op: 'publish', channel: k('chan'), message: 'hi' },
      ]);
      expect(res).toEqual([null, '1', 1, 0, 0]);
    });

    it('scan finds exactly the keys matching a pattern, in bounded batches', async () => {
      const ops = Array.from({ length: 120 }, (_, i) => ({ op: 'set' as const, key: k(`scan:${i}`), value: 'v', ttlMs: 10_000 }));
      ops.push({ op: 'set', key: k('scanx'), value: 'v', ttlMs: 10_000 });
      await t.store.exec(ops);
      const found: string[] = [];
      for await (const batch of t.store.scan(k('scan:*'), { count: 25 })) {
        expect(batch.length).toBeLessThanOrEqual(200);
        found.push(...batch);
      }
      expect(new Set(found).size).toBe(120);
      expect(found).not.toContain(k('scanx'));
    });

    it('scan stops when its signal is aborted', async () => {
      const ac = new AbortController();
      ac.abort();
      await expect(async () => {
        for await (const batch of t.store.scan(k('scan:*'), { count: 10, signal: ac.signal })) void batch;
      }).rejects.toThrow();
    });

    it('unlink deletes and counts', async () => {
      await t.store.exec([
        { op: 'set', key: k('u1'), value: 'v', ttlMs: 10_000 },
        { op: 'set', key: k('u2'), value: 'v', ttlMs: 10_000 },
      ]);
      expect(await t.store.unlink([k('u1'), k('u2'), k('u3')])).toBe(2);
      expect(await t.store.mget([k('u1'), k('u2')])).toEqual([null, null]);
      expect(await t.store.unlink([])).toBe(0);
    });

    it('info returns fields', async () => {
      const info = await t.store.info();
      expect(Object.keys(info).length).toBeGreaterThan(0);
    });
  });
}
