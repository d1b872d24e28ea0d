import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { conditions } from '@/lib/db/schema';
import { queryRows } from '@/lib/db/rows';
import { assertLocalDatabaseUrl, useTestDb } from '@/tests/support/test-db';

describe('test database support', () => {
  const t = useTestDb();

  it('gives a migrated, empty database of its own', async () => {
    expect(await t.db.select().from(conditions)).toEqual([]);
    const [row] = await queryRows<{ name: string }>(t.db, sql`select current_database() as name`);
    expect(row?.name).toBe(t.handle.name);
    expect(t.handle.name).toMatch(/^mizaj_test_/);
  });

  it('refuses non-local hosts', () => {
    expect(() => assertLocalDatabaseUrl('postgres://u@db.example.com:5432/x')).toThrow(/non-local/);
    expect(() => assertLocalDatabaseUrl('postgres://u@10.0.0.5/x')).toThrow(/non-local/);
    expect(assertLocalDatabaseUrl('postgres://u@127.0.0.1:5432/x').hostname).toBe('127.0.0.1');
    expect(assertLocalDatabaseUrl('postgres://u@localhost/x').hostname).toBe('localhost');
    expect(assertLocalDatabaseUrl('postgres://u@[::1]/x').hostname).toBe('[::1]');
    expect(() => assertLocalDatabaseUrl('postgres:///x?host=/var/run/postgresql')).not.toThrow();
    expect(() => assertLocalDatabaseUrl('postgres:///x?host=db.example.com')).toThrow(/non-local/);
  });
});
