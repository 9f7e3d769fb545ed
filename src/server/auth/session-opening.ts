import type { NewSecurityEvent } from '../audit/store';
import { eventParams, insertEventsFrom } from '../audit/event-rows-sql';
import { columnList, columnValue, insertColumns, parameterValues, quotedTableName, quoteIdentifier } from '../db/insert-columns';
import { sessions, users } from '../db/schema';
import type { NewSession } from './session-store';

/**
 * A sign-in's session and its security events in one statement: the session is stored only
 * while its user's credential epoch is still the one it carries (as insertIfEpochCurrent), and
 * the events only if the session was. One round trip instead of two, and no session is ever
 * stored without the event that says how it was opened.
 *
 * The columns come from the owners' table definitions (sessions, security_events): a column
 * they add is written here too. Parameters: one per session column, then one text[] per event
 * column, spread into rows by unnest.
 */
const SESSION_COLUMNS = insertColumns(sessions);
const FIRST_EVENT_PARAM = 1 + SESSION_COLUMNS.length;

function sessionParam(key: keyof NewSession): string {
  const index = SESSION_COLUMNS.findIndex((column) => column.key === key);
  if (index < 0) throw new Error(`sessions has no column ${key}`);
  return `$${1 + index}::${SESSION_COLUMNS[index]!.sqlType}`;
}

export const OPEN_SESSION_WITH_EVENTS_SQL = `with opened as (
       insert into ${quotedTableName(sessions)} (${columnList(SESSION_COLUMNS)})
       select ${parameterValues(SESSION_COLUMNS, 1)}
         from ${quotedTableName(users)} u
        where u.${quoteIdentifier(users.id.name)} = ${sessionParam('userId')}
          and u.${quoteIdentifier(users.credentialEpoch.name)} = ${sessionParam('credentialEpoch')}
       returning ${quoteIdentifier(sessions.id.name)} as id),
     audited as (
       ${insertEventsFrom('opened', FIRST_EVENT_PARAM)})
     select id from opened`;

export interface OpenedSessionRow {
  id: string;
}

/** The statement's parameters, in the order OPEN_SESSION_WITH_EVENTS_SQL numbers them. */
export function openSessionParams(session: NewSession, events: readonly NewSecurityEvent[]): unknown[] {
  const stamped = { ...session, createdAt: session.createdAt ?? session.authenticatedAt };
  return [
    ...SESSION_COLUMNS.map((column) => columnValue(column, stamped)),
    ...eventParams(events),
  ];
}
