import type { DbHandle } from '@/lib/db/types';

/** What the loader needs from a driver inside one transaction: bulk COPY and plain statements. */
export type Sink = {
  copy(table: string, columns: readonly string[], text: string): Promise<void>;
  query<T>(sqlText: string): Promise<T[]>;
};

const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;

/** Runs `fn` in one transaction on the handle's driver; a failure leaves the database untouched. */
export async function inTransaction<T>(handle: DbHandle, fn: (sink: Sink) => Promise<T>): Promise<T> {
  if (handle.kind === 'postgres') {
    const result = await handle.client.begin(async (tx) => {
      const sink: Sink = {
        async copy(table, columns, text) {
          const writable = await tx.unsafe(`copy ${ident(table)} (${columns.map(ident).join(', ')}) from stdin`).writable();
          await new Promise<void>((resolve, reject) => {
            writable.on('error', reject);
            writable.on('finish', resolve);
            writable.end(text);
          });
        },
        async query<R>(sqlText: string) {
          return (await tx.unsafe(sqlText)) as unknown as R[];
        },
      };
      return fn(sink);
    });
    return result as T;
  }
  return handle.client.transaction(async (tx) => {
    const sink: Sink = {
      async copy(table, columns, text) {
        await tx.query(`copy ${ident(table)} (${columns.map(ident).join(', ')}) from '/dev/blob'`, [], { blob: new Blob([text]) });
      },
      async query<R>(sqlText: string) {
        return (await tx.query<R>(sqlText)).rows;
      },
    };
    return fn(sink);
  });
}
