import { stripVTControlCharacters } from 'node:util';
import type { CheckResult, CommandRun, ScreenshotFile } from '../evidence';
import { check, checkAll } from './result';

/** The screens of the browser tests' story, in its order (test/browser/*.test.ts call snap(page, name)). */
export const EXPECTED_SCREENSHOTS = [
  'sign-in',
  'setup-qr',
  'backup-codes-once',
  'settings-status',
  'second-step',
  'lockout',
  'security-activity',
  'not-allowed',
  'disable',
  'password-prompt',
  'ops-alerts-success',
  'ops-alerts-failure',
  'system-status',
  // Issue 22: the accessibility audit's states (light and dark) and the keyboard-only run.
  'a11y-sign-up-invalid',
  'a11y-second-step-wrong-code',
  'a11y-lockout',
  'a11y-lockout.dark',
  'a11y-setup',
  'a11y-settings-2fa-on.dark',
  'a11y-regenerate-dialog',
  'a11y-not-allowed',
  'a11y-not-found',
  'a11y-system-status',
  'a11y-ops-alerts-delivered',
  'keyboard-backup-codes-focus',
] as const;

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export function checkBrowserTestsPassed(run: CommandRun | undefined): CheckResult {
  const output = run ? stripVTControlCharacters(run.output) : '';
  const summary = output.match(/Tests\s+(.*passed.*|.*failed.*)/)?.[1]?.trim();
  const failures = failedTests(output);
  return check(
    'npx vitest run --project browser exits 0 (every browser test passed)',
    run?.exitCode === 0,
    run ? `exit ${String(run.exitCode)}${summary ? `; ${summary}` : ''}${failures.length > 0 ? `; ${failures.join('; ')}` : ''}` : 'not run',
  );
}

const MAX_FAILURES_NAMED = 5;

/**
 * Each failed test as "file > test: first line of its error", from vitest's failure summary, so
 * the report (and a CI log that keeps only the report's lines) says what failed, not just how many.
 */
export function failedTests(output: string): string[] {
  const lines = stripVTControlCharacters(output).split('\n');
  const named: string[] = [];
  for (const [index, line] of lines.entries()) {
    const test = /^\s*FAIL\s+(?:\S+\s+)?(\S+\.test\.ts\s+>\s+.+?)\s*$/.exec(line)?.[1];
    if (!test) continue;
    const error = lines.slice(index + 1).find((l) => l.trim() !== '')?.trim() ?? '(no error line)';
    named.push(`${test}: ${error}`);
    if (named.length === MAX_FAILURES_NAMED) break;
  }
  return named;
}

/** Each screen exists at desktop and mobile size, is a PNG, and was written by this run (not left from an older one). */
export function checkScreenshotsFresh(files: readonly ScreenshotFile[], names: readonly string[], runStartedAtMs: number): CheckResult {
  const failures: string[] = [];
  for (const name of names) {
    for (const size of ['desktop', 'mobile']) {
      const file = files.find((f) => f.name === `${name}.${size}.png`);
      if (!file) failures.push(`${name}.${size}.png missing`);
      else if (file.sizeBytes === 0 || !PNG_SIGNATURE.every((b, i) => file.head[i] === b)) failures.push(`${file.name} is not a PNG`);
      else if (file.mtimeMs < runStartedAtMs) failures.push(`${file.name} is older than this run`);
    }
  }
  return checkAll(
    `all ${names.length} screens exist at 1280×800 and 390×844 as PNGs written during this run`,
    failures,
    `${names.length * 2} screenshots, all written during this run`,
  );
}
