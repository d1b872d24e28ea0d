import 'server-only';
import { sql as dsql } from 'drizzle-orm';
import type { Sql } from 'postgres';
import type { Cache } from '@/lib/cache';
import { cacheStoreEpochs } from '@/lib/db/schema';
import type { Db } from '@/lib/db/types';
import { writeLog } from './log';
import { COHERENCE_CHANNEL, decodeMessage, encodeMessage, type CoherenceMessage } from './messages';
import { markApplied, pruneOutbox, recentRows, rowsById, unappliedRows, type Invalidation, type OutboxRow } from './outbox';
import { pruneIdempotencyKeys } from './idempotency';

export interface CoherenceOptions {
  /** postgres.js client: LISTEN needs a dedicated connection, which it keeps and re-establishes itself. */
  sql: Sql;
  db: Db;
  cache: Cache;
  /** Seconds an entry can live (ttl + grace of the longest category): how far back a lost Redis is repaired. */
  longestLifetimeSeconds: number;
  heartbeatMs?: number;
  /** L1 is served only while this instance heard its own heartbeat within this long. */
  leaseMs?: number;
  /** How much later than the peer itself a writer may hear the peer's last heartbeat (delivery skew). */
  skewMs?: number;
  sweepMs?: number;
  /** PostgreSQL calls made off the request path give up after this long. */
  statementTimeoutMs?: number;
}

/** A write never waits longer than this for acknowledgements (each peer's lease normally settles it sooner). */
const MAX_ACK_WAIT_MS = 3_000;
/** Own announcements kept for a writer that has not awaited them yet (far more than writes in flight). */
const MAX_EARLY = 1_000;
/** More rows than this to re-apply after Redis lost data: invalidate whole categories instead (O(categories)). */
const MAX_REAPPLY_ROWS = 5_000;

/**
 * L1 coherence and invalidation durability over PostgreSQL, beside the Redis bus:
 * - every write's outbox row is announced by NOTIFY on commit; each instance drops its L1 entries, keeps the
 *   invalidation pending (it applies it itself before reading Redis unless told Redis has it) and acknowledges;
 * - heartbeats give each instance an L1 lease (no message heard → no L1) and tell writers who is alive;
 * - a sweep applies rows whose writer died before applying them, and prunes old rows;
 * - when Redis (re)connects with another identity (restart, restored snapshot, failover), young rows are
 *   re-applied before anything is read from it.
 * See docs/reliability.md.
 */
export class PgCoherence {
  readonly instanceId: string;
  private readonly prefix: string;
  private readonly heartbeatMs: number;
  private readonly leaseMs: number;
  private readonly skewMs: number;
  private readonly sweepMs: number;
  private readonly statementTimeoutMs: number;
  private lastOwnHeartbeat = -Infinity;
  private readonly peers = new Map<string, number>();
  /**
   * What each peer's last heartbeat said: does it serve L1, its listener's epoch, can it reach the store;
   * `seq`: when it was heard, in this instance's count of messages received (the channel's commit order).
   */
  private readonly peerState = new Map<string, { lease: boolean; epoch: number; store: boolean; seq: number }>();
  private epoch = 0;
  private received = 0;
  /** For each awaited write: where its own NOTIFY came in this instance's count of messages received. */
  private readonly ownInvSeq = new Map<string, number>();
  /** Awaited writes some instance reported applied to the store. */
  private readonly appliedHeard = new Set<string>();
  /**
   * This instance's writes heard of before their writer awaits them: the COMMIT's answer and the NOTIFY it sends
   * come over different connections, so the announcement, and even a peer's acknowledgement, can be read first.
   */
  private readonly early = new Map<string, { seq: number; acks: Set<string>; applied: boolean }>();
  private readonly ackWaiters = new Map<string, Set<string>>();
  /** Each waited-for peer's listener epoch when the write began waiting. */
  private readonly ackEpochs = new Map<string, Map<string, number>>();
  private readonly wake = new Set<() => void>();
  private readonly timers: NodeJS.Timeout[] = [];
  private heartbeatInFlight = false;
  private sweeping = false;
  private unlisten: (() => Promise<void>) | undefined;
  private leaseWasValid = false;
  private stopped = false;

  constructor(private readonly options: CoherenceOptions) {
    this.instanceId = options.cache.instanceId;
    this.prefix = options.cache.prefix;
    this.heartbeatMs = options.heartbeatMs ?? 250;
    this.leaseMs = options.leaseMs ?? 1_000;
    this.skewMs = options.skewMs ?? 150;
    this.sweepMs = options.sweepMs ?? 500;
    this.statementTimeoutMs = options.statementTimeoutMs ?? 2_000;
  }

  async start(): Promise<void> {
    const { sql, cache } = this.options;
    const listening = await sql.listen(
      COHERENCE_CHANNEL,
      (payload) => this.receive(payload),
      // (Re)connected: notifications sent while we were away are lost, so look at the table for them.
      () => this.listening(),
    );
    this.unlisten = () => listening.unlisten();
    cache.attachCoherence(this);
    cache.onStoreReady(() => this.repairStore());
    this.every(this.heartbeatMs, () => this.heartbeat());
    this.every(this.sweepMs, () => this.sweep(this.sweepMs));
    this.every(60_000, () => this.prune());
    void this.heartbeat();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    this.options.cache.attachCoherence(undefined);
    await this.unlisten?.().catch(() => {});
  }

  /** L1 may be served: this instance's own heartbeat came back through PostgreSQL within the lease. */
  leaseValid(): boolean {
    const valid = performance.now() - this.lastOwnHeartbeat < this.leaseMs;
    if (valid !== this.leaseWasValid) {
      this.leaseWasValid = valid;
      if (!valid) writeLog.warn({ instance: this.instanceId }, 'coherence lease lost: L1 not served until PostgreSQL notifications are heard again');
      else writeLog.info({ instance: this.instanceId }, 'coherence lease held: L1 served');
    }
    return valid;
  }

  /** Instances heard within the lease (other than this one): the ones a writer waits for. */
  livePeers(): string[] {
    const now = performance.now();
    return [...this.peers].filter(([id, at]) => id !== this.instanceId && now - at < this.leaseMs + this.skewMs).map(([id]) => id);
  }

  /**
   * Starts collecting acknowledgements of one outbox row from the peers alive now — also those whose last
   * heartbeat said they serve no L1: that heartbeat may predate the commit, and they may get the lease back
   * (from an older heartbeat of their own) before they hear of the write.
   */
  expectAcks(ref: string): string[] {
    const peers = this.livePeers();
    const heard = this.early.get(ref);
    this.early.delete(ref);
    this.ackWaiters.set(ref, new Set(peers.filter((p) => !heard?.acks.has(p))));
    this.ackEpochs.set(ref, new Map(peers.map((p) => [p, this.peerState.get(p)?.epoch ?? 0])));
    if (heard) this.ownInvSeq.set(ref, heard.seq);
    if (heard?.applied) this.appliedHeard.add(ref);
    return peers;
  }

  /** Done waiting for a write. */
  private forget(ref: string): void {
    this.ackWaiters.delete(ref);
    this.ackEpochs.delete(ref);
    this.ownInvSeq.delete(ref);
    this.appliedHeard.delete(ref);
  }

  /**
   * Resolves once every peer alive at `expectAcks` acknowledged `ref`, or can no longer be serving L1 (its
   * lease ran out: nothing heard from it for lease + skew). With `storeMissed` (this instance could not apply
   * the row to the store) it also waits until some instance reports the row applied, as long as a live peer
   * says it can reach the store: until then a reader of the store that has not heard of the write (a peer
   * whose notifications lag, a process without PostgreSQL) would get the old value. Returns the peers that
   * did not acknowledge.
   */
  async awaitAcks(ref: string, { storeMissed = false } = {}): Promise<string[]> {
    const waiting = this.ackWaiters.get(ref);
    if (!waiting) return [];
    const epochs = this.ackEpochs.get(ref);
    const silent: string[] = [];
    const giveUpAt = performance.now() + MAX_ACK_WAIT_MS;
    try {
      for (;;) {
        const now = performance.now();
        let nextExpiry = giveUpAt;
        const invSeq = this.ownInvSeq.get(ref);
        for (const peer of waiting) {
          const expiresAt = (this.peers.get(peer) ?? -Infinity) + this.leaseMs + this.skewMs;
          const state = this.peerState.get(peer);
          // No L1 there any more: its lease ran out; or a heartbeat sent after the commit says it serves none
          // (it can only get the lease back from a later heartbeat, so after hearing of this write); or its
          // listener reconnected since the write (it dropped its whole L1 then).
          const saysNoL1AfterCommit = state !== undefined && invSeq !== undefined && state.seq > invSeq && !state.lease;
          const settled = expiresAt <= now || saysNoL1AfterCommit || (state && state.epoch !== epochs?.get(peer));
          if (settled || now >= giveUpAt) {
            if (!settled) writeLog.warn({ peer, ref }, 'coherence: a live instance did not acknowledge a write in time');
            waiting.delete(peer);
            silent.push(peer);
          } else nextExpiry = Math.min(nextExpiry, expiresAt);
        }
        const storeSettled = !storeMissed || this.appliedHeard.has(ref) || !this.livePeers().some((p) => this.peerState.get(p)?.store !== false);
        if (waiting.size === 0 && (storeSettled || now >= giveUpAt)) return silent;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, Math.max(1, nextExpiry - now));
          function done() {
            clearTimeout(timer);
            resolve();
          }
          this.wake.add(done);
        });
      }
    } finally {
      this.forget(ref);
    }
  }

  /** Tells every instance that these rows could not be applied here (e.g. this instance cannot reach Redis). */
  askForHelp(refs: string[]): Promise<void> {
    return this.notify({ t: 'help', p: this.prefix, from: this.instanceId, refs });
  }

  /** Records rows as applied and tells the others (they stop keeping them pending). */
  async applied(ids: number[]): Promise<void> {
    if (ids.length === 0) return;
    await this.withTimeout(markApplied(this.options.db, ids));
    await this.notify({ t: 'applied', p: this.prefix, from: this.instanceId, refs: ids.map(String) });
  }

  private receive(payload: string): void {
    const m = decodeMessage(payload);
    if (!m || m.p !== this.prefix) return;
    const now = performance.now();
    const seq = ++this.received;
    this.peers.set(m.from, now);
    if (m.from === this.instanceId) {
      if (m.t === 'hb') this.lastOwnHeartbeat = now;
      if (m.t === 'inv' && this.ackWaiters.has(m.ref)) {
        this.ownInvSeq.set(m.ref, seq);
        this.wakeAll();
      } else if (m.t === 'inv') {
        this.early.set(m.ref, { seq, acks: new Set(), applied: false });
        // Bounded: most are never claimed (a write that awaited no peer is done before its own NOTIFY is heard).
        if (this.early.size > MAX_EARLY) this.early.delete(this.early.keys().next().value!);
      }
      return;
    }
    if (m.t === 'hb') this.peerState.set(m.from, { lease: m.lease !== false, epoch: m.epoch ?? 0, store: m.store !== false, seq });
    switch (m.t) {
      case 'inv':
        void this.onInvalidation(m);
        break;
      case 'ack':
        this.ackWaiters.get(m.ref)?.delete(m.from);
        this.early.get(m.ref)?.acks.add(m.from);
        break;
      case 'applied':
        for (const ref of m.refs) {
          this.options.cache.settle(ref);
          if (this.ackWaiters.has(ref)) this.appliedHeard.add(ref);
          const heard = this.early.get(ref);
          if (heard) heard.applied = true;
        }
        break;
      case 'help':
        void this.help(m.refs);
        break;
      case 'hb':
        break;
    }
    this.wakeAll();
  }

  private wakeAll(): void {
    for (const w of [...this.wake]) {
      this.wake.delete(w);
      w();
    }
  }

  /** Another instance could not apply these rows: apply them (read from the table) and report them applied. */
  private async help(refs: string[]): Promise<void> {
    const rows = await this.withTimeout(rowsById(this.options.db, refs.map(Number))).catch(() => []);
    await this.applyPending(rows);
  }

  private async onInvalidation(m: Extract<CoherenceMessage, { t: 'inv' }>): Promise<void> {
    let change: Invalidation | undefined = m.tags || m.categories ? { tags: m.tags ?? [], categories: m.categories ?? [] } : undefined;
    if (!change) {
      // Too big for a NOTIFY payload: the row is committed (notifications are delivered on commit).
      const [row] = await this.withTimeout(rowsById(this.options.db, [Number(m.ref)])).catch(() => []);
      change = row ?? { tags: [], categories: Object.keys(this.options.cache.categories) };
    }
    this.options.cache.defer(m.ref, change);
    await this.notify({ t: 'ack', p: this.prefix, from: this.instanceId, ref: m.ref });
  }

  private async heartbeat(): Promise<void> {
    if (this.heartbeatInFlight || this.stopped) return;
    this.heartbeatInFlight = true;
    try {
      const store = this.options.cache.store.available();
      await this.notify({ t: 'hb', p: this.prefix, from: this.instanceId, lease: this.leaseValid(), epoch: this.epoch, store });
    } finally {
      this.heartbeatInFlight = false;
    }
  }

  /**
   * The listener (re)connected. After a reconnect, notifications sent meanwhile are lost: drop this
   * instance's whole L1 and look at the table for rows no one applied.
   */
  private listening(): void {
    if (this.epoch++ > 0) {
      this.options.cache.clearL1();
      writeLog.info({ instance: this.instanceId }, 'coherence listener reconnected: L1 dropped (notifications may have been missed)');
    }
    void this.sweep(0);
  }

  /** Applies what this instance holds pending (after a 'help', or rows found by the sweep) and reports it. */
  private async applyPending(rows: OutboxRow[] = []): Promise<void> {
    const { cache } = this.options;
    for (const r of rows) cache.defer(String(r.id), r);
    if (!(await cache.replayPending())) return;
    await this.applied(rows.map((r) => r.id)).catch((error: unknown) => writeLog.debug({ err: String(error) }, 'outbox: could not mark rows applied'));
  }

  /** Rows older than `minAgeMs` that no one applied (their writer died or could not reach Redis). */
  private async sweep(minAgeMs: number): Promise<void> {
    if (this.sweeping || this.stopped) return;
    this.sweeping = true;
    try {
      const rows = await this.withTimeout(unappliedRows(this.options.db, { minAgeMs, limit: 1_000 }));
      if (rows.length > 0) await this.applyPending(rows);
    } catch (error) {
      writeLog.debug({ err: error instanceof Error ? error.message : String(error) }, 'outbox sweep failed');
    } finally {
      this.sweeping = false;
    }
  }

  private async prune(): Promise<void> {
    try {
      await this.withTimeout(pruneOutbox(this.options.db, this.options.longestLifetimeSeconds));
      await this.withTimeout(pruneIdempotencyKeys(this.options.db));
    } catch (error) {
      writeLog.debug({ err: error instanceof Error ? error.message : String(error) }, 'outbox prune failed');
    }
  }

  /**
   * Before reading a Redis that just (re)connected: if it is not the server our invalidations were applied to
   * (another run_id: restarted, restored from a snapshot, failed over), re-apply every row young enough to
   * matter; in any case apply rows still unapplied. Runs while the cache keeps reads off the store.
   */
  private async repairStore(): Promise<void> {
    const { cache, db } = this.options;
    const serverId = await storeIdentity(cache);
    if (serverId === undefined) return;
    const [known] = await this.withTimeout(
      db.select({ serverId: cacheStoreEpochs.serverId }).from(cacheStoreEpochs).where(dsql`${cacheStoreEpochs.prefix} = ${this.prefix}`),
    );
    if (known?.serverId !== serverId) {
      const rows = await this.withTimeout(recentRows(db, { seconds: this.options.longestLifetimeSeconds, limit: MAX_REAPPLY_ROWS + 1 }));
      if (rows.length > MAX_REAPPLY_ROWS) cache.defer('epoch', { categories: Object.keys(cache.categories) });
      else for (const r of rows) cache.defer(`epoch:${r.id}`, r);
      if (known) writeLog.warn({ prefix: this.prefix, rows: rows.length }, 'cache store is not the one invalidations were applied to: re-applying recent ones before reading it');
    }
    const unapplied = await this.withTimeout(unappliedRows(db, { minAgeMs: 0, limit: 1_000 }));
    for (const r of unapplied) cache.defer(String(r.id), r);
    // Not applied (the store went again): they stay pending here, and this check runs at the next connect.
    if (!(await cache.replayPending())) return;
    await this.applied(unapplied.map((r) => r.id));
    await this.withTimeout(
      db
        .insert(cacheStoreEpochs)
        .values({ prefix: this.prefix, serverId })
        .onConflictDoUpdate({ target: cacheStoreEpochs.prefix, set: { serverId, seenAt: dsql`now()` } }),
    );
  }

  private async notify(m: CoherenceMessage): Promise<void> {
    try {
      await this.withTimeout(this.options.sql.notify(COHERENCE_CHANNEL, encodeMessage(m)));
    } catch (error) {
      writeLog.debug({ err: error instanceof Error ? error.message : String(error), t: m.t }, 'coherence notify failed');
    }
  }

  private withTimeout<T>(p: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`PostgreSQL did not answer within ${this.statementTimeoutMs} ms`)), this.statementTimeoutMs);
    });
    return Promise.race([p, limit]).finally(() => clearTimeout(timer));
  }

  private every(ms: number, fn: () => Promise<void>): void {
    const t = setInterval(() => void fn(), ms);
    t.unref();
    this.timers.push(t);
  }
}

/** Which Redis this is: the run_id of every master (changes on restart and on failover). */
async function storeIdentity(cache: Cache): Promise<string | undefined> {
  if (cache.store.backend === 'memory') return undefined;
  const info = await cache.store.info();
  return info.run_id;
}
