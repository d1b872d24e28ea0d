import net from 'node:net';

/**
 * A TCP proxy on a free port that a test can cut (every connection dropped, new ones refused) and restore,
 * optionally delaying what flows back to the client (a slow network between one instance and a server).
 */
export class TcpProxy {
  private readonly sockets = new Set<net.Socket>();
  private cut = false;

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
  ) {}

  static async start(targetPort: number, options: { host?: string; delayMs?: number } = {}): Promise<TcpProxy> {
    const targetHost = options.host ?? '127.0.0.1';
    let proxy: TcpProxy | undefined;
    const server = net.createServer((client) => {
      if (!proxy || proxy.cut) return client.destroy();
      const upstream = net.connect(targetPort, targetHost);
      for (const s of [client, upstream]) {
        proxy.sockets.add(s);
        s.on('close', () => proxy?.sockets.delete(s));
        s.on('error', () => {});
      }
      client.pipe(upstream);
      if (options.delayMs) {
        // Equal delays fire in order, so the byte stream stays intact.
        upstream.on('data', (chunk: Buffer) => setTimeout(() => client.writable && client.write(chunk), options.delayMs));
      } else {
        upstream.pipe(client);
      }
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    proxy = new TcpProxy(server, (server.address() as net.AddressInfo).port);
    return proxy;
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
