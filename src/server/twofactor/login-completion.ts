import type { NewSecurityEvent } from '../audit/store';
import type { NewSession } from '../auth/session-store';
import { eventParams, insertEventsFrom } from '../audit/event-rows-sql';
import { insertSessionFrom, SESSION_PARAM_COUNT, sessionParam, sessionRowParams } from '../auth/session-row-sql';

/** What the successful end of the second login step writes, in one statement. */
export interface LoginCompletionInput {
  challengeId: string;
  userId: string;
  /** The accepted TOTP step, or null when a backup code was burnt instead. */
  totpStep: number | null;
  now: Date;
  session: NewSession;
  events: NewSecurityEvent[];
}

export interface LoginCompletionRow {
  token_usable: number | string;
  step_recorded: number | string;
  session_id: string | null;
  /** The signed-in user as the statement found them (null only for a user deleted meanwhile). */
  email: string | null;
  role: 'user' | 'admin' | null;
  user_created_at: Date | string | null;
}

// The columns come from the owners' table definitions (sessions: auth, security_events: audit):
// a column they add is written here too. Parameters $1-$4 are the step's own; then one per
// session column, then one text[] per event column, spread into rows by unnest.
const FIRST_SESSION_PARAM = 5;
const FIRST_EVENT_PARAM = FIRST_SESSION_PARAM + SESSION_PARAM_COUNT;

/**
 * The step is burnt under recordTotpStep's conditions and only for a token that can still be
 * used (not consumed, its credential epoch still the user's): a code sent with a dead token is
 * not burnt, so its owner can still use it. The token is consumed only if the step was burnt (or
 * no step is given: a backup code or a passkey), and the inserts happen only if it was.
 * `token_usable` tells a dead token from a replayed step.
 */
export const COMPLETE_LOGIN_SQL = `with usable as (
       select ch.id
         from two_factor_challenges ch
        where ch.id = $1
          and ch.consumed_at is null
          and ch.user_id = $2
          and ch.credential_epoch = ${sessionParam('credentialEpoch', FIRST_SESSION_PARAM)}
          and exists (select 1 from users cu where cu.id = ch.user_id and cu.credential_epoch = ch.credential_epoch)),
     step as (
       update two_factor_credentials
          set last_used_step = $3, last_used_at = $4
        where $3::bigint is not null
          and user_id = $2
          and enabled_at is not null
          and (last_used_step is null or last_used_step < $3::bigint)
          and exists (select 1 from usable)
       returning user_id),
     consumed as (
       update two_factor_challenges ch
          set consumed_at = $4
        where id = $1
          and consumed_at is null
          and user_id = $2
          and credential_epoch = ${sessionParam('credentialEpoch', FIRST_SESSION_PARAM)}
          and exists (select 1 from users cu where cu.id = ch.user_id and cu.credential_epoch = ch.credential_epoch)
          and ($3::bigint is null or exists (select 1 from step))
       returning id),
     opened as (
       ${insertSessionFrom('consumed', FIRST_SESSION_PARAM)}),
     audited as (
       ${insertEventsFrom('consumed', FIRST_EVENT_PARAM)})
     select (select count(*) from usable) as token_usable, (select count(*) from step) as step_recorded,
            (select id from opened) as session_id, u.email, u.role, u.created_at as user_created_at
       from (select 1) as one
       left join users u on u.id = $2`;

/** The statement's parameters, in the order COMPLETE_LOGIN_SQL numbers them. */
export function completeLoginParams(input: LoginCompletionInput): unknown[] {
  const session = { ...input.session, createdAt: input.session.createdAt ?? input.now };
  const events = input.events.map((event) => ({ ...event, createdAt: event.createdAt ?? input.now }));
  return [
    input.challengeId,
    input.userId,
    input.totpStep,
    input.now,
    ...sessionRowParams(session),
    ...eventParams(events),
  ];
}
