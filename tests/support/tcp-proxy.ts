import net from 'node:net';

/**
 * A TCP proxy on a free port that a test can cut (every connection dropped, new ones refused) and restore,
 * optionally delaying what flows back to the client (a slow network between one instance and a server).
 */
export class TcpProxy {
  private readonly sockets = new Set<net.Socket>();
  private cut = false;
  /** Raise only: a lower delay would let later bytes overtake earlier ones. */
  delayMs = 0;
  /**
   * Round trips: how many times a client sent after it had been answered (bytes it sends before any answer
   * reaches it, however many writes, are one). Meaningful with one connection through the proxy.
   */
  roundTrips = 0;
  private answered = true;

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
  ) {}

  static async start(targetPort: number, options: { host?: string; delayMs?: number } = {}): Promise<TcpProxy> {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const proxy = new TcpProxy(server, (server.address() as net.AddressInfo).port);
    proxy.delayMs = options.delayMs ?? 0;
    server.on('connection', (client) => proxy.accept(client, targetPort, options.host ?? '127.0.0.1'));
    return proxy;
  }

  private accept(client: net.Socket, targetPort: number, targetHost: string): void {
    if (this.cut) return void client.destroy();
    const upstream = net.connect(targetPort, targetHost);
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
      s.on('error', () => {});
    }
    client.pipe(upstream);
    client.on('data', () => {
      if (this.answered) this.roundTrips++;
      this.answered = false;
    });
    const answer = (chunk: Buffer) => {
      this.answered = true;
      if (client.writable) client.write(chunk);
    };
    // Equal (or growing) delays fire in order, so the byte stream stays intact.
    upstream.on('data', (chunk: Buffer) => {
      if (this.delayMs > 0) setTimeout(() => answer(chunk), this.delayMs);
      else answer(chunk);
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Drops every connection and refuses new ones until restore(). */
  sever(): void {
    this.cut = true;
    for (const s of this.sockets) s.destroy();
  }

  restore(): void {
    this.cut = false;
  }

  async close(): Promise<void> {
    this.sever();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
