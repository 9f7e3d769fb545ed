import { compileGlobs } from '../glob';
import { resultOf, type CheckContext, type CheckResult, type Finding } from '../findings';

export const workflowFilesCheckName = 'no-workflow-files';

// GitHub refuses a push that adds or changes a file here unless the token has the `workflow`
// scope; the tokens this team pushes with do not, so such a commit blocks the whole push.
const workflowsFolder = '.github/workflows/';

export function checkNoWorkflowFiles(context: CheckContext): CheckResult {
  const { scope, policy } = context;
  if (policy.workflows.allowWorkflowFiles) {
    return resultOf(workflowFilesCheckName, [], 'allowed by policy: workflows.allowWorkflowFiles');
  }
  const isAllowed = compileGlobs(policy.workflows.allowPaths);
  const isTrap = (path: string) => path.startsWith(workflowsFolder) && !isAllowed(path);

  if (scope.kind === 'tree') {
    const findings = scope.trackedPaths.filter(isTrap).map((path) => ({ path, detail: 'workflow file: pushing it needs the workflow token scope' }));
    return resultOf(workflowFilesCheckName, findings);
  }
  // Every pushed commit counts, not just the head: a later `git rm` does not take the earlier commit out of the push.
  const findings: Finding[] = scope.commits.flatMap((commit) =>
    commit.changes
      .filter((change) => isTrap(change.path))
      .map((change) => ({
        path: change.path,
        commit: commit.sha,
        detail: change.status === 'D' ? 'deleted in a pushed commit' : 'added or changed in a pushed commit',
      })),
  );
  return resultOf(workflowFilesCheckName, findings);
}
