import { checkNoEdgeFunctions } from './checks/edge-functions';
import { checkNoCommittedSecrets } from './checks/secrets';
import { checkUiBranchPaths } from './checks/ui-paths';
import { checkNoWorkflowFiles } from './checks/workflow-files';
import type { CheckContext, CheckResult } from './findings';

/** Every check, in the order they are printed. */
export const guardChecks: ((context: CheckContext) => CheckResult)[] = [
  checkNoEdgeFunctions,
  checkNoWorkflowFiles,
  checkUiBranchPaths,
  checkNoCommittedSecrets,
];

export function runChecks(context: CheckContext): CheckResult[] {
  return guardChecks.map((check) => check(context));
}
