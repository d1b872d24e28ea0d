import { sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';

/** A drizzle selection: the keys of the objects it gives, each with its column. */
export type Selection = Record<string, AnyPgColumn>;

/**
 * `json_build_object` of a selection (a query's own rows as one JSON value, to nest several lists in one
 * statement), keyed and ordered as drizzle's select of it would be.
 */
export function jsonObjectOf(selection: Selection): SQL {
  const fields = Object.entries(selection).map(([key, column]) => {
    // Our own property names: a literal in the SQL text, not a parameter per key.
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new Error(`not a plain key: ${key}`);
    return sql`${sql.raw(`'${key}'`)}, ${column}`;
  });
  return sql`json_build_object(${sql.join(fields, sql`, `)})`;
}

/**
 * The first `limit` rows of `from` (its FROM and WHERE) in `order`, as one JSON array of `jsonObjectOf(selection)`
 * (empty, not null, when there are none): a list nested in another statement, in a guaranteed order.
 */
export function jsonPageOf(selection: Selection, from: SQL, order: SQL[], limit: number): SQL {
  const orderBy = sql.join(order, sql`, `);
  return sql`coalesce((select json_agg(j.o order by j.n) from (select ${jsonObjectOf(selection)} as o, row_number() over (order by ${orderBy}) as n
      ${from} order by ${orderBy} limit ${sql.raw(String(limit))}) j), '[]')`;
}

/**
 * Such an object read back as drizzle would map its row: each value through its column's own mapping (a
 * timestamp's JSON text to a Date, an integer kept as a number), keys in the selection's order.
 */
export function fromJsonObject<T>(selection: Selection, json: Record<string, unknown>): T {
  const row: Record<string, unknown> = {};
  for (const [key, column] of Object.entries(selection)) {
    const value = json[key];
    row[key] = value === null || value === undefined ? null : column.mapFromDriverValue(value);
  }
  return row as T;
}
