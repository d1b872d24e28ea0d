import { and, desc, sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn, PgTable } from 'drizzle-orm/pg-core';
import { ValidationError } from '@/lib/errors';

/** A page of a list that only grows, newest first, and the cursor of the page after it (null on the last). */
export type Page<T> = { items: T[]; next: string | null };

export type PageRequest = { limit: number; cursor?: string };

export const PAGE_LIMIT = { default: 20, max: 100 } as const;

const CURSOR = /^[A-Za-z0-9_-]{1,40}$/;

/**
 * Cursors are opaque to clients: the id of the last row sent, so the next page starts strictly after that
 * row's (created_at, id) — exact at PostgreSQL's microsecond precision, stable while rows are added.
 */
export const encodeCursor = (id: number): string => Buffer.from(`v1:${id}`).toString('base64url');

export function decodeCursor(cursor: string, path = 'query.cursor'): number {
  const m = CURSOR.test(cursor) ? /^v1:([1-9][0-9]{0,9})$/.exec(Buffer.from(cursor, 'base64url').toString()) : null;
  const id = m ? Number(m[1]) : NaN;
  if (!(id <= 2_147_483_647)) throw new ValidationError('Invalid cursor', [{ path, message: 'is not a cursor this API gave out' }]);
  return id;
}

/**
 * One page of `table` rows matching `where`, newest first: fetches limit + 1 to know whether a next page exists.
 * `select` runs the query with the extra condition and limit, so callers keep their own columns and joins.
 */
export async function keysetPage<T extends { id: number }>(
  table: PgTable & { id: AnyPgColumn; createdAt: AnyPgColumn },
  tableName: string,
  where: SQL,
  page: PageRequest,
  select: (where: SQL, orderBy: SQL[], limit: number) => Promise<T[]>,
): Promise<Page<T>> {
  const limit = Math.min(Math.max(1, Math.trunc(page.limit)), PAGE_LIMIT.max);
  const after =
    page.cursor === undefined
      ? undefined
      : sql`(${table.createdAt}, ${table.id}) < (select c.created_at, c.id from ${sql.identifier(tableName)} c where c.id = ${decodeCursor(page.cursor)})`;
  const rows = await select(after ? and(where, after)! : where, newestFirst(table), limit + 1);
  return pageOf(rows, limit);
}

/** The order of every page: newest first, ties by id. */
export const newestFirst = (table: { id: AnyPgColumn; createdAt: AnyPgColumn }): SQL[] => [desc(table.createdAt), desc(table.id)];

/** A page from up to limit + 1 rows in newestFirst order (the extra row says a next page exists). */
export function pageOf<T extends { id: number }>(rows: T[], limit: number): Page<T> {
  const items = rows.slice(0, limit);
  return { items, next: rows.length > limit ? encodeCursor(items[items.length - 1]!.id) : null };
}
