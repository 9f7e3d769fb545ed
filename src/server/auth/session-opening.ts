import type { NewSecurityEvent } from '../audit/store';
import { eventParams, insertEventsFrom } from '../audit/event-rows-sql';
import { quotedTableName, quoteIdentifier } from '../db/insert-columns';
import { users } from '../db/schema';
import { insertSessionFrom, SESSION_PARAM_COUNT, sessionParam, sessionRowParams } from './session-row-sql';
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
const FIRST_SESSION_PARAM = 1;
const FIRST_EVENT_PARAM = FIRST_SESSION_PARAM + SESSION_PARAM_COUNT;

/** The session's user, only while its credential epoch is the one the session carries. */
const USER_AT_SESSION_EPOCH = `${quotedTableName(users)} u
        where u.${quoteIdentifier(users.id.name)} = ${sessionParam('userId', FIRST_SESSION_PARAM)}
          and u.${quoteIdentifier(users.credentialEpoch.name)} = ${sessionParam('credentialEpoch', FIRST_SESSION_PARAM)}`;

export const OPEN_SESSION_WITH_EVENTS_SQL = `with opened as (
       ${insertSessionFrom(USER_AT_SESSION_EPOCH, FIRST_SESSION_PARAM)}),
     audited as (
       ${insertEventsFrom('opened', FIRST_EVENT_PARAM)})
     select id from opened`;

export interface OpenedSessionRow {
  id: string;
}

/** The statement's parameters, in the order OPEN_SESSION_WITH_EVENTS_SQL numbers them. */
export function openSessionParams(session: NewSession, events: readonly NewSecurityEvent[]): unknown[] {
  const stamped = { ...session, createdAt: session.createdAt ?? session.authenticatedAt };
  return [...sessionRowParams(stamped), ...eventParams(events)];
}
