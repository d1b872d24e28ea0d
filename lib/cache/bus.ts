import type { Cluster, Redis } from 'ioredis';
import type { CacheLogger } from './types';

export interface BusMessage {
  from: string;
  tags: readonly string[];
  categories: readonly string[];
  /** The outbox reference this message applied, when it came from a durable write. */
  ref?: string;
}

export type BusState = 'connecting' | 'connected' | 'disconnected';

export interface BusHandlers {
  onMessage(message: BusMessage): void;
  /** The subscription is gone: messages may be missed from now on. */
  onDisconnect(): void;
  /** Subscribed again after a disconnect (not on the first connect). */
  onReconnect(): void;
}

/**
 * L1 coherence over Redis pub/sub on its own connection. The bus reports itself connected only once
 * SUBSCRIBE has been acknowledged, so an instance never trusts L1 while it could be missing messages.
 */
export class RedisBus {
  state: BusState = 'connecting';
  private everConnected = false;
  private closed = false;

  constructor(
    private readonly subscriber: Redis | Cluster,
    readonly channel: string,
    private readonly instanceId: string,
    private readonly handlers: BusHandlers,
    private readonly logger: CacheLogger,
  ) {
    subscriber.on('error', () => {});
    subscriber.on('ready', () => void this.subscribe());
    subscriber.on('close', () => this.lost());
    subscriber.on('end', () => this.lost());
    subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.channel) this.receive(message);
    });
    if (subscriber.status === 'ready') void this.subscribe();
  }

  connected(): boolean {
    return this.state === 'connected';
  }

  message(tags: readonly string[], categories: readonly string[], ref?: string): string {
    return JSON.stringify({ from: this.instanceId, tags, categories, ...(ref ? { ref } : {}) } satisfies BusMessage);
  }

  private async subscribe(): Promise<void> {
    try {
      await this.subscriber.subscribe(this.channel);
    } catch (error) {
      this.logger.debug({ err: error }, 'cache bus subscribe failed; will retry on reconnect');
      return;
    }
    if (this.closed) return;
    const wasConnected = this.everConnected;
    this.everConnected = true;
    this.state = 'connected';
    if (wasConnected) this.handlers.onReconnect();
  }

  private lost(): void {
    if (this.state === 'disconnected' || this.closed) return;
    const was = this.state;
    this.state = 'disconnected';
    if (was === 'connected') this.handlers.onDisconnect();
  }

  private receive(raw: string): void {
    let message: BusMessage;
    try {
      message = JSON.parse(raw) as BusMessage;
    } catch {
      return;
    }
    if (message.from === this.instanceId || !Array.isArray(message.tags) || !Array.isArray(message.categories)) return;
    if (message.ref !== undefined && typeof message.ref !== 'string') return;
    this.handlers.onMessage(message);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.state = 'disconnected';
    try {
      await this.subscriber.quit();
    } catch {
      this.subscriber.disconnect();
    }
  }
}
