import type { Backend, CacheStore, ScanOptions, StoreOp, StoreOpResult } from '@/lib/cache/types';

export interface ChaosSettings {
  /** Probability (0..1) that a call rejects. */
  errorRate?: number;
  /** Fixed delay before each call, ms. */
  delayMs?: number;
  /** Extra random delay up to this many ms. */
  jitterMs?: number;
  /** Reports the store as unavailable (a dropped connection). */
  down?: boolean;
  /** Random source (tests pass a seeded one). */
  random?: () => number;
}

export class ChaosError extends Error {
  override name = 'ChaosError';
}

/** Wraps a store and injects errors, delays and outages (bentocache's chaos driver idea). */
export class ChaosStore implements CacheStore {
  readonly canHang = true;
  calls = 0;

  constructor(
    readonly inner: CacheStore,
    private settings: ChaosSettings = {},
    /** Pose as another backend (a memory store standing in for Redis in fault tests). */
    private readonly posingAs?: Backend,
  ) {}

  get backend(): Backend {
    return this.posingAs ?? this.inner.backend;
  }

  set(settings: ChaosSettings): void {
    this.settings = settings;
  }

  available(): boolean {
    return !this.settings.down && this.inner.available();
  }

  private async chaos(): Promise<void> {
    this.calls++;
    const { errorRate = 0, delayMs = 0, jitterMs = 0, down = false, random = Math.random } = this.settings;
    const wait = delayMs + (jitterMs > 0 ? random() * jitterMs : 0);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    if (down) throw new ChaosError('store is down');
    if (errorRate > 0 && random() < errorRate) throw new ChaosError('injected store error');
  }

  async mget(keys: readonly string[]): Promise<(string | null)[]> {
    await this.chaos();
    return this.inner.mget(keys);
  }

  async mgetBuffer(keys: readonly string[]): Promise<(Buffer | null)[]> {
    await this.chaos();
    return this.inner.mgetBuffer(keys);
  }

  async exec(ops: readonly StoreOp[]): Promise<StoreOpResult[]> {
    await this.chaos();
    return this.inner.exec(ops);
  }

  async pttl(key: string): Promise<number> {
    await this.chaos();
    return this.inner.pttl(key);
  }

  async *scan(pattern: string, options?: ScanOptions): AsyncIterable<string[]> {
    for await (const batch of this.inner.scan(pattern, options)) {
      await this.chaos();
      yield batch;
    }
  }

  async unlink(keys: readonly string[]): Promise<number> {
    await this.chaos();
    return this.inner.unlink(keys);
  }

  async ping(): Promise<number> {
    await this.chaos();
    return this.inner.ping();
  }

  info(): Promise<Record<string, string>> {
    return this.inner.info();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
