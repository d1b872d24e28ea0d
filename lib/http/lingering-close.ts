import 'server-only';
import type { Socket } from 'node:net';

/** Longest a connection we close keeps reading what its client still sends (nginx's lingering_time is 30 s). */
export const LINGER_MS = 2_000;

/**
 * Lingering close for a connection node:http closes after an answer (`Connection: close`, a refused body).
 * node:http closes it with destroySoon(): FIN, then close(2) as soon as the answer is written. If the client is
 * still sending (a 10 MB body refused with 413 on its declared length), the unread bytes make the kernel send a
 * reset, and a reset that reaches the client before it has read the answer discards it: the client sees
 * ECONNRESET or EPIPE where it was sent a 413. So the FIN goes out and the socket keeps reading (the parser
 * discards the refused body) until the client closes its side, which node:http answers by destroying the socket
 * (its sockets are half-open capable), or until LINGER_MS have passed.
 */
export function lingerOnClose(socket: Socket): void {
  socket.destroySoon = lingeringDestroySoon;
}

function lingeringDestroySoon(this: Socket): void {
  if (this.destroyed) return;
  if (this.writable) this.end();
  // The client has closed its side already: nothing more will be read, close once the answer is written.
  if (this.readableEnded) {
    if (this.writableFinished) this.destroy();
    else this.once('finish', () => this.destroy());
    return;
  }
  const timer = setTimeout(() => this.destroy(), LINGER_MS);
  timer.unref();
  this.once('close', () => clearTimeout(timer));
}
