export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerOptions {
  /** Consecutive failures (errors, timeouts, lost connection) that open the breaker. */
  failureThreshold?: number;
  /** First wait before a probe; doubles after each failed probe up to maxCooldownMs. */
  cooldownMs?: number;
  maxCooldownMs?: number;
}

/**
 * Closed: use the store. Open: skip it (callers go straight to L1/fn, never waiting) while a timer
 * probes in the background; the probe, not a user request, pays for a dead or slow Redis.
 */
export class Breaker {
  state: BreakerState = 'closed';
  failures = 0;
  lastError: string | undefined;
  private readonly threshold: number;
  private readonly baseCooldown: number;
  private readonly maxCooldown: number;
  private cooldown: number;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    options: BreakerOptions,
    private readonly probe: () => Promise<void>,
    private readonly onChange: (from: BreakerState, to: BreakerState, reason: string | undefined) => void,
  ) {
    this.threshold = options.failureThreshold ?? 3;
    this.baseCooldown = options.cooldownMs ?? 1_000;
    this.maxCooldown = options.maxCooldownMs ?? 15_000;
    this.cooldown = this.baseCooldown;
  }

  allows(): boolean {
    return this.state === 'closed';
  }

  success(): void {
    this.failures = 0;
  }

  failure(error: unknown): void {
    this.lastError = error instanceof Error ? error.message : String(error);
    if (this.state !== 'closed') return;
    this.failures++;
    if (this.failures >= this.threshold) this.transition('open', this.lastError);
  }

  private transition(to: BreakerState, reason?: string): void {
    const from = this.state;
    if (from === to) return;
    this.state = to;
    this.onChange(from, to, reason);
    if (to === 'open') this.schedule();
    if (to === 'closed') {
      this.failures = 0;
      this.cooldown = this.baseCooldown;
    }
  }

  private schedule(): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.runProbe(), this.cooldown);
    this.timer.unref();
  }

  private async runProbe(): Promise<void> {
    if (this.stopped || this.state !== 'open') return;
    this.transition('half-open');
    try {
      await this.probe();
      if (!this.stopped) this.transition('closed');
    } catch (error) {
      this.lastError = error instanceof Error ? error.message : String(error);
      this.cooldown = Math.min(this.cooldown * 2, this.maxCooldown);
      if (!this.stopped) this.transition('open', this.lastError);
    }
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}
