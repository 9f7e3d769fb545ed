import type { CheckResult, ItemStatus, SqlEvidence } from '../evidence';

export function check(expectation: string, passed: boolean, observed: string): CheckResult {
  return { expectation, passed, observed };
}

/** Several conditions behind one expectation: passes when none failed; observed lists what failed. */
export function checkAll(expectation: string, failures: string[], observedWhenPassed: string): CheckResult {
  return failures.length === 0 ? check(expectation, true, observedWhenPassed) : check(expectation, false, failures.join('; '));
}

/** A check whose evidence was never recorded (the flow stopped earlier): failed, never skipped. */
export function missingEvidence(expectation: string, what: string): CheckResult {
  return check(expectation, false, `no evidence recorded: ${what}`);
}

/** A check of one recorded piece: run on it, or failed as missing evidence when the flow never recorded it. */
export function need<T>(value: T | undefined, expectation: string, what: string, run: (value: T) => CheckResult): CheckResult {
  return value === undefined ? missingEvidence(expectation, what) : run(value);
}

/** `need` for a check that reads several recorded pieces: all of them, or failed as missing evidence. */
export function needAll<T extends unknown[]>(values: { [K in keyof T]: T[K] | undefined }, expectation: string, what: string, run: (...values: T) => CheckResult): CheckResult {
  return values.some((value) => value === undefined) ? missingEvidence(expectation, what) : run(...(values as T));
}

/** The rows an SQL read returned; none when it failed or never ran (so `need` reports it missing). */
export function recordedRows(evidence: SqlEvidence | undefined): Record<string, unknown>[] | undefined {
  return evidence && !evidence.error ? evidence.rows : undefined;
}

/** PASS only when there is at least one check and every check passed. */
export function statusOf(checks: readonly CheckResult[]): ItemStatus {
  return checks.length > 0 && checks.every((c) => c.passed) ? 'PASS' : 'FAIL';
}
