import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type { PGlite } from '@electric-sql/pglite';
import type { Sql } from 'postgres';
import type * as schema from './schema';

/** A drizzle database (or transaction) over either driver; services take this as their first argument. */
export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

export type DbKind = 'postgres' | 'pglite';

export type DbHandle =
  | { kind: 'postgres'; db: Db; client: Sql; url: string; close(): Promise<void> }
  | { kind: 'pglite'; db: Db; client: PGlite; close(): Promise<void> };

export type CreateDbOptions = { url: string; max?: number } | { pglite: string };
