// Next bundles busboy (its server-action parser) without types: the part of busboy 1.x's API used here.
declare module 'next/dist/compiled/busboy/index.js' {
  import type { IncomingHttpHeaders } from 'node:http';
  import type { Readable, Writable } from 'node:stream';
  interface Busboy extends Writable {
    on(event: 'file', listener: (name: string, stream: Readable, info: unknown) => void): this;
    on(event: 'error', listener: (error: Error) => void): this;
    on(event: 'close', listener: () => void): this;
    on(event: string, listener: (...args: unknown[]) => void): this;
  }
  export default function busboy(config: { headers: IncomingHttpHeaders; defParamCharset?: string; limits?: Record<string, number> }): Busboy;
}
