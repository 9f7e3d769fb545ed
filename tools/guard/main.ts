import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseGuardArgs, usageText, UsageError, type GuardOptions } from './args';
import { currentBranch, findRepoRoot, GitError } from './git';
import { defaultPolicyFileName, loadPolicy, PolicyError, type Policy } from './policy';
import { branchOfRemoteRef, describePushedRange, parsePrePushInput } from './pre-push';
import { parseRangeOption } from './range';
import { countCommits, formatResults, formatSummary } from './report';
import { runChecks } from './run-checks';
import { buildRangeScope, buildTreeScope } from './scope';
import type { CheckResult } from './findings';

/** Exit codes: 0 every check passed, 1 a check failed, 2 the guard could not run (bad policy, usage, git). */
function main(argv: string[]): number {
  const options = parseGuardArgs(argv);
  if (options.help) {
    console.log(usageText);
    return 0;
  }
  const root = findRepoRoot(process.cwd());
  const policy = loadPolicy(options.policy ?? join(root, defaultPolicyFileName));
  if (options.prePush) return guardPush(root, policy, readFileSync(0, 'utf8'));
  return printOutcome(checkWorkingCopy(root, policy, options));
}

function checkWorkingCopy(root: string, policy: Policy, options: GuardOptions): CheckResult[] {
  if (!options.range) return runChecks({ scope: buildTreeScope(root), policy, branch: null });
  const scope = buildRangeScope(root, parseRangeOption(root, options.range));
  console.log(`guard: range ${options.range} (${countCommits(scope.commits.length)})`);
  return runChecks({ scope, policy, branch: options.branch ?? currentBranch(root) });
}

function guardPush(root: string, policy: Policy, stdin: string): number {
  let exitCode = 0;
  for (const ref of parsePrePushInput(stdin)) {
    const spec = describePushedRange(root, ref);
    if (!spec) continue;
    const scope = buildRangeScope(root, spec);
    console.log(`guard: push ${spec.label} (${countCommits(scope.commits.length)} not yet on the remote)`);
    exitCode = Math.max(exitCode, printOutcome(runChecks({ scope, policy, branch: branchOfRemoteRef(ref.remoteRef) })));
  }
  if (exitCode !== 0) console.log('guard: push blocked; fix the commits above, or bypass with `git push --no-verify` (docs/pushing.md)');
  return exitCode;
}

function printOutcome(results: CheckResult[]): number {
  for (const line of formatResults(results)) console.log(line);
  console.log(formatSummary(results));
  return results.every((result) => result.passed) ? 0 : 1;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (error) {
  if (error instanceof UsageError) {
    console.error(`guard: ${error.message}\n\n${usageText}`);
  } else if (error instanceof PolicyError) {
    console.error(error.message);
  } else if (error instanceof GitError) {
    console.error(`guard: ${error.message}`);
  } else {
    throw error;
  }
  process.exitCode = 2;
}
