import net from 'node:net';
import { freePort } from '../../cache/support/own-redis';

/**
 * A TCP proxy to one upstream (an instance's REDIS_URL points at it) that can be cut: `cut()` drops every
 * open connection and refuses new ones, so that instance alone loses Redis while others keep it.
 */
export class TcpProxy {
  private readonly sockets = new Set<net.Socket>();

  private readonly pairs = new Set<[net.Socket, net.Socket]>();

  private server: net.Server | undefined;

  private constructor(
    readonly port: number,
    private readonly upstreamPort: number,
  ) {}

  static async start(upstreamPort: number): Promise<TcpProxy> {
    const proxy = new TcpProxy(await freePort(), upstreamPort);
    await proxy.listen();
    return proxy;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get isCut(): boolean {
    return this.server === undefined;
  }

  private listen(): Promise<void> {
    const server = net.createServer((client) => {
      const upstream = net.connect(this.upstreamPort, '127.0.0.1');
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {});
      }
      const pair: [net.Socket, net.Socket] = [client, upstream];
      this.pairs.add(pair);
      client.pipe(upstream);
      upstream.pipe(client);
      client.on('close', () => (upstream.destroy(), this.pairs.delete(pair)));
      upstream.on('close', () => client.destroy());
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
  }

  /** Stops forwarding on open connections (what is sent stays unread; a later cut() drops it): a link that hangs. */
  pause(): void {
    for (const [client, upstream] of this.pairs) {
      client.unpipe(upstream);
      upstream.unpipe(client);
      client.pause();
      upstream.pause();
    }
  }

  /** Connections reset, new ones refused (nothing listens on the port) until restore(). */
  async cut(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  async restore(): Promise<void> {
    if (!this.server) await this.listen();
  }

  async close(): Promise<void> {
    await this.cut();
  }
}
