import type { CheckResult, CommandRun } from '../evidence';
import { checkAll } from './result';

/** The guard's own verdict lines, as tools/guard/report.ts prints them. */
const REQUIRED_PASSES = ['no-supabase-edge-functions', 'no-workflow-files'];

export function checkGuardPassed(run: CommandRun | undefined): CheckResult {
  const failures: string[] = [];
  if (!run) failures.push('npm run guard did not run');
  else {
    if (run.exitCode !== 0) failures.push(`npm run guard exited ${String(run.exitCode)}`);
    for (const name of REQUIRED_PASSES) {
      if (!new RegExp(`^PASS ${name}\\b`, 'm').test(run.output)) failures.push(`no "PASS ${name}" line`);
    }
    if (/^FAIL /m.test(run.output)) failures.push('a guard check printed FAIL');
  }
  return checkAll(
    'npm run guard exits 0 with PASS no-supabase-edge-functions and PASS no-workflow-files (no workflow file needs the `workflow` OAuth scope)',
    failures,
    'exit 0; PASS no-supabase-edge-functions; PASS no-workflow-files',
  );
}
