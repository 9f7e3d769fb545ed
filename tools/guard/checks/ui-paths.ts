import { isAncestor, listBranchTips, listCommits } from '../git';
import { compileGlobs } from '../glob';
import { resultOf, type CheckContext, type CheckResult, type Finding } from '../findings';
import type { MergeRule } from '../policy';
import type { RangeCommit, RangeScope } from '../scope';

export const uiPathsCheckName = 'ui-branch-paths';

interface BranchRule {
  /** ui-only: every change must be a UI path; no-ui: no change may be one. */
  kind: 'ui-only' | 'no-ui';
  mergeRule: MergeRule | undefined;
  otherBranch: string;
}

/**
 * The Lovable UI branch may only touch the UI, and dev may only take UI changes through a merge
 * of that branch, so the two streams of work never overwrite each other's files.
 */
export function checkUiBranchPaths(context: CheckContext): CheckResult {
  const { scope, policy, branch } = context;
  if (scope.kind === 'tree') {
    return resultOf(uiPathsCheckName, [], 'skipped: whole-tree mode; give --range and --branch to check a range');
  }
  const rule = pickBranchRule(policy.ui, branch);
  if (!rule) return resultOf(uiPathsCheckName, [], `skipped: no UI rule for branch ${branch ?? '(unknown)'}`);

  const isUiPath = compileGlobs(policy.ui.uiPaths);
  const { allowedMerges, broughtIn } = findAllowedMerges(scope, rule);
  const findings: Finding[] = [];
  for (const commit of scope.commits) {
    // Commits an allowed merge brings in were guarded on their own branch when they were pushed there.
    if (allowedMerges.has(commit.sha) || broughtIn.has(commit.sha)) continue;
    for (const change of commit.changes) {
      const offends = rule.kind === 'ui-only' ? !isUiPath(change.path) : isUiPath(change.path);
      if (!offends) continue;
      findings.push({
        path: change.path,
        commit: commit.sha,
        detail: rule.kind === 'ui-only' ? `not a UI path, on ${branch}` : `UI path changed on ${branch} outside a merge of ${rule.otherBranch}`,
      });
    }
  }
  return resultOf(uiPathsCheckName, findings, `${branch} rule: ${rule.kind}`);
}

function pickBranchRule(ui: CheckContext['policy']['ui'], branch: string | null): BranchRule | null {
  if (branch === ui.uiBranch) return { kind: 'ui-only', mergeRule: ui.uiMayMergeDev, otherBranch: ui.devBranch };
  if (branch === ui.devBranch) return { kind: 'no-ui', mergeRule: ui.devMayMergeUi, otherBranch: ui.uiBranch };
  return null;
}

function findAllowedMerges(scope: RangeScope, rule: BranchRule): { allowedMerges: Set<string>; broughtIn: Set<string> } {
  const allowedMerges = new Set<string>();
  const broughtIn = new Set<string>();
  if (!rule.mergeRule) return { allowedMerges, broughtIn };
  const subject = new RegExp(rule.mergeRule.subjectPattern);
  const otherTips = rule.mergeRule.secondParentOnBranch ? listBranchTips(scope.root, rule.otherBranch) : [];
  for (const commit of scope.commits) {
    if (commit.parents.length < 2) continue;
    if (!subject.test(commit.subject) && !isFromBranch(scope.root, commit, otherTips)) continue;
    allowedMerges.add(commit.sha);
    const [firstParent = '', ...mergedParents] = commit.parents;
    for (const merged of listCommits(scope.root, mergedParents, [firstParent])) broughtIn.add(merged.sha);
  }
  return { allowedMerges, broughtIn };
}

function isFromBranch(root: string, merge: RangeCommit, branchTips: string[]): boolean {
  const mergedParents = merge.parents.slice(1);
  return branchTips.length > 0 && mergedParents.every((parent) => branchTips.some((tip) => isAncestor(root, parent, tip)));
}
