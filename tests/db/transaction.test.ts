/**
 * lib/db/transaction.ts against real PostgreSQL (a database of this test's own, reached through a TCP proxy that
 * counts round trips) and embedded PGlite: the body's statements and the last ones are one transaction, committed
 * together or not at all, and on PostgreSQL BEGIN and COMMIT ride with them.
 */
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '@/lib/db/create-db';
import { preparedRows, queryRows } from '@/lib/db/rows';
import { transaction } from '@/lib/db/transaction';
import type { Db, DbHandle } from '@/lib/db/types';
import { createTestDb, destroyTestDb, type TestDb } from '../support/test-db';
import { TcpProxy } from '../support/tcp-proxy';
import { waitFor } from '../cache/support/own-redis';

let t: TestDb;
let proxy: TcpProxy;
const handles: DbHandle[] = [];

beforeAll(async () => {
  t = await createTestDb();
  // Answers come back late, so whatever the client pipelines has left it before the first answer arrives.
  proxy = await TcpProxy.start(Number(new URL(t.url).port), { delayMs: 20 });
}, 60_000);
afterAll(async () => {
  for (const h of handles) await h.close();
  await proxy.close();
  await destroyTestDb(t);
});

async function postgresThroughProxy(): Promise<DbHandle> {
  const url = new URL(t.url);
  url.port = String(proxy.port);
  // One connection: the proxy's count is that connection's.
  const h = await createDb({ url: url.toString(), max: 1 });
  handles.push(h);
  return h;
}

async function pglite(): Promise<DbHandle> {
  const h = await createDb({ pglite: 'memory://' });
  handles.push(h);
  return h;
}

// A named statement, as the write door's are: one round trip, and it pipelines (lib/db/rows.ts).
const insertProbe = preparedRows<{ xmin: string }>('probe_insert', sql`insert into probe (v) values (${sql.placeholder('v')}) returning xmin::text as xmin`);
const insert = (db: Db, v: string) => insertProbe(db, { v }).then((rows) => rows[0]!.xmin);
const causes = (error: unknown) => {
  const seen: string[] = [];
  for (let e = error as { message?: string; code?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) seen.push(`${e.code ?? ''} ${e.message ?? ''}`);
  return seen.join(' | ');
};
const values = async (db: Db) => (await queryRows<{ v: string }>(db, sql`select v from probe order by v`)).map((r) => r.v);

describe.each([
  // Seen from another pool too: a transaction left open on the connection would show its rows to itself only.
  ['PostgreSQL', postgresThroughProxy, () => t.db],
  ['PGlite', pglite, (h: DbHandle) => h.db],
])('transaction on %s', (_, open, elsewhere) => {
  let h: DbHandle;
  beforeAll(async () => {
    h = await open();
    await h.db.execute(sql`create table if not exists probe (v text primary key)`);
  });

  it('commits what the body ran and the last statements in one transaction, and hands back their results', async () => {
    const { value, last } = await transaction(h, async (tx) => ({ value: await insert(tx, 'a1'), last: (l) => [insert(l, 'a2'), insert(l, 'a3')] }));
    // The same transaction id on every row: none of them ran outside it (a COMMIT sent before them would leave them on their own).
    expect(last).toEqual([value, value]);
    expect(await values(elsewhere(h))).toEqual(expect.arrayContaining(['a1', 'a2', 'a3']));
  });

  it('a failing last statement: nothing is committed and the connection goes back out of any transaction', async () => {
    await insert(h.db, 'taken');
    await expect(transaction(h, async (tx) => ({ value: await insert(tx, 'b1'), last: (l) => [insert(l, 'taken')] }))).rejects.toThrow();
    expect(await values(elsewhere(h))).not.toContain('b1');
    // Autocommit again on the (only) connection: a failed transaction left open would refuse this or hide it.
    await insert(h.db, 'b2');
    expect(await values(elsewhere(h))).toContain('b2');
  });

  it('a body that throws after its statements ran: nothing is committed', async () => {
    await expect(
      transaction(h, async (tx) => {
        await insert(tx, 'c1');
        throw new Error('refused after the statement');
      }),
    ).rejects.toThrow('refused after the statement');
    expect(await values(elsewhere(h))).not.toContain('c1');
  });
});

describe('round trips on PostgreSQL', () => {
  it('BEGIN goes with the first statement and COMMIT with the last ones: two round trips where drizzle takes four', async () => {
    const h = await postgresThroughProxy();
    await h.db.execute(sql`create table if not exists probe (v text primary key)`);
    const write = (n: number) => transaction(h, async (tx) => ({ value: await insert(tx, `x${n}`), last: (l) => [insert(l, `y${n}`)] }));
    const drizzleWrite = (n: number) =>
      h.db.transaction(async (tx) => {
        await insert(tx, `u${n}`);
        await insert(tx, `w${n}`);
      });
    // Once each first: a statement's first use on a connection may ask for its parameter types.
    await write(0);
    await drizzleWrite(0);
    proxy.roundTrips = 0;
    await write(1);
    expect(proxy.roundTrips).toBe(2);
    proxy.roundTrips = 0;
    await drizzleWrite(1);
    expect(proxy.roundTrips).toBe(4);
  });
});

describe('the connection dies inside a transaction (its backend terminated by pid)', () => {
  const killer = () => postgres(t.url, { max: 1, onnotice: () => {} });
  const backendPid = async (tx: Db) => (await queryRows<{ pid: number }>(tx, sql`select pg_backend_pid() as pid`))[0]!.pid;

  it.each([
    ['while a statement runs', true],
    ['between two statements', false],
  ])('%s: the transaction rejects (no hang, no uncaught exception) and the pool serves the next query', async (_, inFlight) => {
    const h = await createDb({ url: t.url, max: 1 });
    handles.push(h);
    const admin = killer();
    try {
      await h.db.execute(sql`create table if not exists probe (v text primary key)`);
      const attempt = transaction(h, async (tx) => {
        const pid = await backendPid(tx);
        if (inFlight) {
          const running = queryRows(tx, sql`select pg_sleep(30)`);
          await waitFor(async () => (await admin`select 1 from pg_stat_activity where pid = ${pid} and query like 'select pg_sleep%'`).length === 1, 5_000);
          await admin`select pg_terminate_backend(${pid})`;
          await running;
        } else {
          await admin`select pg_terminate_backend(${pid})`;
          // The backend gone, and its end of the socket read here, before the next statement is issued.
          await waitFor(async () => (await admin`select 1 from pg_stat_activity where pid = ${pid}`).length === 0, 5_000);
          await new Promise((r) => setTimeout(r, 50));
        }
        return { value: await insert(tx, `dead-${inFlight}`) };
      });
      // What the statement met (drizzle wraps it): the terminated backend, or the connection refusing it once closed.
      const met = await attempt.then(() => 'committed', (error: unknown) => causes(error));
      expect(met).toMatch(/terminat|CONNECTION_CLOSED|closed during the transaction/);
      // The pool's one connection slot serves again: one handed back dead would leave this hanging. (postgres.js
      // gives a backend's FATAL that arrived with its statement in flight to the next query on that slot once.)
      const next = () => queryRows<{ one: number }>(h.db, sql`select 1 as one`);
      expect(await next().catch(next)).toEqual([{ one: 1 }]);
      expect(await values(t.db)).not.toContain(`dead-${inFlight}`);
    } finally {
      await admin.end({ timeout: 5 });
    }
  }, 30_000);
});
