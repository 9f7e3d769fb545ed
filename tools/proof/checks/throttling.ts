import type { CheckResult, HttpExchange } from '../evidence';
import { check, checkAll } from './result';
import { checkRefusal, describeStatus, headerValue, isProblemJson, jsonObject, sessionCookieSet } from './http';

/** B3: throttling and temp-token expiry, as the HTTP contract states them (docs/security.md, "Throttling"). */

export const THROTTLE_CODES = ['RATE_LIMITED', 'TWO_FACTOR_LOCKED'] as const;

export function checkWrongCodeRefused(exchange: HttpExchange): CheckResult {
  return checkRefusal(exchange, `wrong code (${exchange.id}) is refused with 400 INVALID_CODE`, 400, ['INVALID_CODE']);
}

/** A throttling refusal: 429 problem+json with error_code, retry_after seconds, and a matching Retry-After header. */
export function checkRetryAfter(exchange: HttpExchange): CheckResult {
  const body = jsonObject(exchange);
  const header = headerValue(exchange, 'retry-after');
  const failures: string[] = [];
  if (exchange.status !== 429) failures.push(`status ${describeStatus(exchange)}, expected 429`);
  if (!isProblemJson(exchange)) failures.push('not application/problem+json');
  if (typeof body.error_code !== 'string' || !(THROTTLE_CODES as readonly string[]).includes(body.error_code)) {
    failures.push(`error_code ${JSON.stringify(body.error_code)}, expected RATE_LIMITED or TWO_FACTOR_LOCKED`);
  }
  const retryAfter = body.retry_after;
  if (typeof retryAfter !== 'number' || !Number.isInteger(retryAfter) || retryAfter <= 0) {
    failures.push(`retry_after ${retryAfter === undefined ? 'missing' : JSON.stringify(retryAfter)}, expected whole seconds > 0`);
  }
  if (header === undefined) failures.push('no Retry-After header');
  else if (header !== String(retryAfter)) failures.push(`Retry-After header ${header} differs from retry_after ${String(retryAfter)}`);
  if (sessionCookieSet(exchange)) failures.push('a session cookie was set');
  return checkAll(
    'the throttled answer is 429 problem+json with error_code, retry_after and the same Retry-After header',
    failures,
    `429 ${String(body.error_code)}, retry_after ${String(retryAfter)}, Retry-After: ${header ?? '(none)'}`,
  );
}

/**
 * During the lock a code that is right (for the current 30 s step, which this user has not
 * used yet) is refused too: the lock is checked before the code.
 */
export function checkCorrectCodeRefusedDuringLock(
  exchange: HttpExchange,
  code: { step: number; lastUsedStep: number | null; matchesSecret: boolean },
): CheckResult {
  const failures: string[] = [];
  if (!code.matchesSecret) failures.push('the code sent was not generated from the user\'s secret');
  if (code.lastUsedStep !== null && code.step <= code.lastUsedStep) {
    failures.push(`the code's step ${code.step} was already used (last_used_step ${code.lastUsedStep}), so its refusal proves nothing`);
  }
  const body = jsonObject(exchange);
  if (exchange.status !== 429 || body.error_code !== 'TWO_FACTOR_LOCKED') failures.push(`answer ${describeStatus(exchange)}, expected 429 TWO_FACTOR_LOCKED`);
  if (sessionCookieSet(exchange)) failures.push('a session cookie was set during the lock');
  return checkAll(
    'a correct, unused TOTP code sent during the lock is refused with 429 TWO_FACTOR_LOCKED and no cookie',
    failures,
    `429 TWO_FACTOR_LOCKED for a valid code of step ${code.step} (last used step ${String(code.lastUsedStep)})`,
  );
}

/** The temp token was issued with the short TTL, used after it had passed, and refused as expired. */
export function checkTempTokenExpired(login: HttpExchange, verify: HttpExchange, timing: { ttlSeconds: number; waitedMs: number }): CheckResult {
  const failures: string[] = [];
  const expiresIn = jsonObject(login).expires_in;
  if (login.status !== 200 || jsonObject(login).requires_2fa !== true) failures.push(`login answered ${describeStatus(login)} without requires_2fa`);
  if (expiresIn !== timing.ttlSeconds) failures.push(`expires_in ${JSON.stringify(expiresIn)}, expected ${timing.ttlSeconds}`);
  if (timing.waitedMs < timing.ttlSeconds * 1000) failures.push(`only ${timing.waitedMs} ms passed, less than the ${timing.ttlSeconds} s TTL`);
  const refusal = checkRefusal(verify, '', 401, ['TEMP_TOKEN_EXPIRED']);
  if (!refusal.passed) failures.push(refusal.observed);
  return checkAll(
    'a temp token used after its TTL is refused with 401 TEMP_TOKEN_EXPIRED',
    failures,
    `expires_in ${String(expiresIn)} s, used ${(timing.waitedMs / 1000).toFixed(1)} s later: ${describeStatus(verify)}`,
  );
}

/** The lock took exactly the configured number of failures: not earlier (victim lockout), not later (brute force). */
export function checkLockAfterFailures(wrongAnswers: readonly HttpExchange[], lockAnswer: HttpExchange, maxFailures: number): CheckResult {
  const invalid = wrongAnswers.filter((e) => e.status === 400 && jsonObject(e).error_code === 'INVALID_CODE').length;
  const lockCode = jsonObject(lockAnswer).error_code;
  return check(
    `after ${maxFailures} wrong codes (TWO_FACTOR_USER_MAX_FAILURES) the next attempt is locked`,
    invalid === maxFailures && wrongAnswers.length === maxFailures && lockAnswer.status === 429 && lockCode === 'TWO_FACTOR_LOCKED',
    `${invalid} of ${wrongAnswers.length} wrong codes answered INVALID_CODE, then ${describeStatus(lockAnswer)}`,
  );
}
