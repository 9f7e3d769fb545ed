import type { CheckResult, HttpExchange } from '../evidence';
import { describeStatus, jsonObject } from './http';
import { check, checkAll } from './result';

/** ADMIN and RACE: privilege only from the operator, and sessions that follow the password. */

export function checkSelfRegisteredIsNotAdmin(register: HttpExchange, refused: HttpExchange): CheckResult {
  const user = (jsonObject(register).user ?? {}) as { is_admin?: unknown; role?: unknown };
  const failures: string[] = [];
  if (register.status !== 201) failures.push(`register answered ${describeStatus(register)}`);
  if (user.is_admin !== false || user.role !== 'user') failures.push(`registered as role=${String(user.role)}, is_admin=${String(user.is_admin)}`);
  if (refused.status !== 403 || jsonObject(refused).error_code !== 'FORBIDDEN') failures.push(`system status answered ${describeStatus(refused)}, expected 403 FORBIDDEN`);
  return checkAll(
    'a self-registered account is role=user, is_admin=false, and System status answers it 403 FORBIDDEN',
    failures,
    'role=user, is_admin=false; /api/system/status → 403 FORBIDDEN',
  );
}

export function checkGrantedByCli(rows: Record<string, unknown>[], cliOutput: string | undefined, allowed: HttpExchange): CheckResult {
  const row = rows[0] ?? {};
  const failures: string[] = [];
  if (row.role !== 'admin') failures.push(`stored role is ${String(row.role)}`);
  if (row.event !== 'admin.role_granted' || row.via !== 'cli') failures.push(`security event ${String(row.event)} via ${String(row.via)}`);
  if (allowed.status !== 200) failures.push(`system status afterwards answered ${describeStatus(allowed)}`);
  return checkAll(
    'npm run cli -- user:grant-admin stores role=admin with an admin.role_granted security event, and only then System status opens',
    failures,
    `CLI said "${cliOutput ?? ''}"; role=admin, event admin.role_granted via cli; /api/system/status → 200`,
  );
}

export function checkNoOldPasswordSessionSurvives(
  logins: ReadonlyArray<{ exchange: HttpExchange }>,
  probes: readonly HttpExchange[],
  change: HttpExchange,
  liveSessions: number | undefined,
): CheckResult[] {
  const won = logins.filter((l) => l.exchange.status === 200).length;
  // After the change the old password is a wrong one: refused, or throttled once the per-(IP, email) limit is spent.
  const isRefusal = (e: HttpExchange) =>
    (e.status === 401 && jsonObject(e).error_code === 'INVALID_CREDENTIALS') || (e.status === 429 && jsonObject(e).error_code === 'RATE_LIMITED');
  const refused = logins.filter((l) => isRefusal(l.exchange)).length;
  const other = logins.filter((l) => l.exchange.status !== 200 && !isRefusal(l.exchange)).map((l) => describeStatus(l.exchange));
  const alive = probes.filter((p) => p.status !== 401);
  return [
    check('the password change answers 200', change.status === 200, describeStatus(change)),
    check(
      'every login of the stream answered: a session (before the change), or 401 INVALID_CREDENTIALS / 429 RATE_LIMITED (after), never an error',
      other.length === 0,
      other.length === 0 ? `${won} session(s), ${refused} refused` : `unexpected: ${other.join(', ')}`,
    ),
    check(
      'old-password sessions alive after the change: 0 (each session a streamed login won answers /api/auth/me with 401)',
      alive.length === 0 && probes.length === won,
      `${won} session(s) won with the old password, ${alive.length} still alive${alive.length > 0 ? `: ${alive.map((p) => p.id).join(', ')}` : ''}`,
    ),
    check(
      "SQL: the owner's sessions a lookup would accept = 1 (the owner's own, moved to the new epoch)",
      liveSessions === 1,
      `live_sessions = ${liveSessions === undefined ? '(not read)' : liveSessions}`,
    ),
  ];
}
