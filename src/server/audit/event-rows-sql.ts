import { columnList, columnText, insertColumns, quotedTableName, unnestedRows } from '../db/insert-columns';
import { securityEvents } from '../db/schema';
import type { NewSecurityEvent } from './store';

/**
 * Security events written by a larger hand-written statement (a sign-in's session, the second
 * login step's completion): inserted once for each row of `source`, a CTE that is empty when the
 * statement's change did not happen, so the events are written only if it did. The columns come
 * from the table definition; the rows arrive as one `text[]` parameter per column, from
 * `firstParam` on, spread by unnest (eventParams makes them).
 */
const EVENT_COLUMNS = insertColumns(securityEvents);

/** How many parameters insertEventsFrom numbers. */
export const EVENT_PARAM_COUNT = EVENT_COLUMNS.length;

export function insertEventsFrom(source: string, firstParam: number): string {
  const rows = unnestedRows(EVENT_COLUMNS, firstParam, 'e');
  return `insert into ${quotedTableName(securityEvents)} (${columnList(EVENT_COLUMNS)})
       select ${rows.values}
         from ${source},
              unnest(${rows.arrays})
                as e(${columnList(EVENT_COLUMNS)})`;
}

/** The `text[]` parameters of insertEventsFrom, in its order. */
export function eventParams(events: readonly NewSecurityEvent[]): Array<Array<string | null>> {
  return EVENT_COLUMNS.map((column) => events.map((event) => columnText(column, event)));
}
