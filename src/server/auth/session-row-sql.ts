import { columnList, columnValue, insertColumns, parameterValues, quotedTableName, quoteIdentifier } from '../db/insert-columns';
import { sessions } from '../db/schema';
import type { NewSession } from './session-store';

/**
 * A session written by a larger hand-written statement (a sign-in's opening, the second login
 * step's completion): inserted once for each row of `source`, a FROM clause that yields a row
 * only when the statement's condition held. The columns come from the table definition, so a
 * column added to sessions is written here too; the values arrive as one parameter per column,
 * from `firstParam` on (sessionRowParams makes them).
 */
const SESSION_COLUMNS = insertColumns(sessions);

/** How many parameters insertSessionFrom numbers. */
export const SESSION_PARAM_COUNT = SESSION_COLUMNS.length;

/** The parameter that carries the session's `key`, cast to its column's type, for the statement's own conditions. */
export function sessionParam(key: keyof NewSession, firstParam: number): string {
  const index = SESSION_COLUMNS.findIndex((column) => column.key === key);
  if (index < 0) throw new Error(`sessions has no column ${key}`);
  return `$${firstParam + index}::${SESSION_COLUMNS[index]!.sqlType}`;
}

/** `insert into sessions … select … from <source> returning id`. */
export function insertSessionFrom(source: string, firstParam: number): string {
  return `insert into ${quotedTableName(sessions)} (${columnList(SESSION_COLUMNS)})
       select ${parameterValues(SESSION_COLUMNS, firstParam)}
         from ${source}
       returning ${quoteIdentifier(sessions.id.name)} as id`;
}

/** The parameters of insertSessionFrom, in its order. */
export function sessionRowParams(session: NewSession): unknown[] {
  return SESSION_COLUMNS.map((column) => columnValue(column, session));
}
