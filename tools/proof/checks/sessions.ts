import { createHash } from 'node:crypto';
import type { CheckResult, HttpExchange } from '../evidence';
import { describeStatus, jsonObject } from './http';
import { check, checkAll } from './result';

interface ListedSession {
  id?: unknown;
  current?: unknown;
  device?: unknown;
  ip?: unknown;
}

function sessionsOf(exchange: HttpExchange): ListedSession[] | undefined {
  const sessions = jsonObject(exchange).sessions;
  return Array.isArray(sessions) ? (sessions as ListedSession[]) : undefined;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Two sessions, exactly one current, each named by a UUID that is neither a cookie token nor its SHA-256. */
export function checkSessionsListed(list: HttpExchange, sessionTokens: readonly string[]): CheckResult {
  const sessions = sessionsOf(list);
  const failures: string[] = [];
  if (list.status !== 200 || !sessions) failures.push(`answered ${describeStatus(list)}`);
  else {
    if (sessions.length !== 2) failures.push(`${sessions.length} sessions listed, expected 2`);
    if (sessions.filter((s) => s.current === true).length !== 1) failures.push('not exactly one session marked current');
    if (!sessions.every((s) => typeof s.id === 'string' && UUID.test(s.id))) failures.push('an id is not a UUID');
    if (!sessions.every((s) => typeof s.device === 'string' && typeof s.ip === 'string')) failures.push('a session lacks its device or address');
  }
  const hashes = sessionTokens.map((t) => createHash('sha256').update(t).digest('hex'));
  if ([...sessionTokens, ...hashes].some((secret) => list.bodyText.includes(secret))) failures.push('the list holds a session token or its hash');
  return checkAll(
    'the list shows both sessions, one current, by ids that are neither tokens nor token hashes',
    failures,
    `${sessions?.length ?? 0} sessions, ids are UUIDs; none of the ${sessionTokens.length} session tokens of the run (or their SHA-256) appears`,
  );
}

export function checkSessionRevoked(revoke: HttpExchange, laptopMe: HttpExchange, listAfter: HttpExchange): CheckResult[] {
  const after = sessionsOf(listAfter);
  return [
    check('ending the other session answers 204', revoke.status === 204, describeStatus(revoke)),
    check(
      'the ended browser is refused at once (401 UNAUTHENTICATED)',
      laptopMe.status === 401 && jsonObject(laptopMe).error_code === 'UNAUTHENTICATED',
      describeStatus(laptopMe),
    ),
    check(
      'the list afterwards holds only the current session',
      listAfter.status === 200 && after?.length === 1 && after[0]?.current === true,
      `${describeStatus(listAfter)}, ${after?.length ?? 0} session(s)`,
    ),
  ];
}
