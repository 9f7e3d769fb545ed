import { getTableColumns, getTableName, is, SQL } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';

/** One column a hand-written INSERT fills, read from the table's drizzle definition. */
export interface InsertColumn {
  /** The property name in drizzle rows (`tokenHash`). */
  key: string;
  /** The quoted SQL column name (`"token_hash"`). */
  sql: string;
  /** The SQL type a parameter is cast to (`text`, `timestamp with time zone`). */
  sqlType: string;
  /** The definition's plain default (`.default(false)`), used when a row leaves the column out. */
  fallback: unknown;
}

export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function quotedTableName(table: PgTable): string {
  return quoteIdentifier(getTableName(table));
}

/**
 * Every column a new row of `table` is written with: all but the primary key, which the
 * database generates. Raw statements that insert rows of a table they do not own build their
 * column lists from this, so a column added to the owner's table is written without a second change.
 */
export function insertColumns(table: PgTable): InsertColumn[] {
  return Object.entries(getTableColumns(table))
    .filter(([, column]) => !column.primary)
    .map(([key, column]) => ({
      key,
      sql: quoteIdentifier(column.name),
      sqlType: column.getSQLType(),
      // A database-side default (defaultNow(), sql`...`) cannot be sent as a value: the row must carry it.
      fallback: column.hasDefault && !is(column.default, SQL) ? column.default : undefined,
    }));
}

/** A row's value for one column, as a statement parameter (JSON columns as their text). */
export function columnValue(column: InsertColumn, row: Record<string, unknown>): unknown {
  const value = row[column.key] ?? column.fallback ?? null;
  if (value === null) return null;
  if (column.sqlType === 'json' || column.sqlType === 'jsonb') return JSON.stringify(value);
  return value;
}

/** A row's value for one column as text, for the `text[]` parameters that `unnest` spreads into rows. */
export function columnText(column: InsertColumn, row: Record<string, unknown>): string | null {
  const value = columnValue(column, row);
  if (value === null) return null;
  if (value instanceof Date) return value.toISOString();
  return String(value);
}

/** `"a", "b", …`: the column list of an INSERT. */
export function columnList(columns: readonly InsertColumn[]): string {
  return columns.map((column) => column.sql).join(', ');
}

/** `$n::type, $n+1::type, …`: one row's values, one parameter per column from `firstParam` on. */
export function parameterValues(columns: readonly InsertColumn[], firstParam: number): string {
  return columns.map((column, i) => `$${firstParam + i}::${column.sqlType}`).join(', ');
}

/**
 * Several rows from one `text[]` parameter per column (`firstParam` on), for
 * `select <values> from unnest(<arrays>) as <alias>(<columns>)`; columnText makes the arrays.
 */
export function unnestedRows(columns: readonly InsertColumn[], firstParam: number, alias: string): { arrays: string; values: string } {
  return {
    arrays: columns.map((_, i) => `$${firstParam + i}::text[]`).join(', '),
    values: columns.map((column) => `${alias}.${column.sql}::${column.sqlType}`).join(', '),
  };
}
