import type { CheckResult, ItemStatus } from '../evidence';

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

/** PASS only when there is at least one check and every check passed. */
export function statusOf(checks: readonly CheckResult[]): ItemStatus {
  return checks.length > 0 && checks.every((c) => c.passed) ? 'PASS' : 'FAIL';
}
