import { spawnSync } from 'node:child_process';

/**
 * Changed files and commit hashes grouped by Conventional Commit scope (docs/proof.md),
 * from `git log --name-only`. Parsing and grouping are pure; only collectGitChanges runs git.
 */
export const SCOPE_ORDER = ['auth', '2fa', 'limits', 'sms', 'integrations', 'system', 'ui', 'proof', 'guard', 'db', 'ci', 'docs', 'bench'];

export interface GitCommit {
  hash: string;
  subject: string;
  type: string | undefined;
  scope: string | undefined;
  files: string[];
}

export interface ScopeGroup {
  scope: string;
  commits: GitCommit[];
  files: string[];
}

export type GitChanges =
  | { isGit: false; reason: string }
  | { isGit: true; branch: string; head: string; uncommitted: string[]; commits: GitCommit[]; groups: ScopeGroup[] };

const RECORD = '\u001e';
const FIELD = '\u001f';
export const GIT_LOG_FORMAT = `${RECORD}%h${FIELD}%s`;

const CONVENTIONAL = /^(\w+)(?:\(([^)]+)\))?!?: /;

export function parseGitLog(text: string): GitCommit[] {
  return text
    .split(RECORD)
    .filter((chunk) => chunk.trim().length > 0)
    .map((chunk) => {
      const [header = '', ...rest] = chunk.split('\n');
      const [hash = '', subject = ''] = header.split(FIELD);
      const match = CONVENTIONAL.exec(subject);
      return {
        hash,
        subject,
        type: match?.[1],
        scope: match?.[2],
        files: rest.map((line) => line.trim()).filter((line) => line.length > 0),
      };
    });
}

/** One group per scope, in the design's order, then other scopes alphabetically, then unscoped commits. */
export function groupCommitsByScope(commits: readonly GitCommit[]): ScopeGroup[] {
  const byScope = new Map<string, GitCommit[]>();
  for (const commit of commits) {
    const scope = commit.scope ?? '(no scope)';
    byScope.set(scope, [...(byScope.get(scope) ?? []), commit]);
  }
  const rank = (scope: string) => {
    const index = SCOPE_ORDER.indexOf(scope);
    if (index >= 0) return `0${String(index).padStart(2, '0')}`;
    return scope === '(no scope)' ? '2' : `1${scope}`;
  };
  return [...byScope.entries()]
    .sort(([a], [b]) => rank(a).localeCompare(rank(b)))
    .map(([scope, list]) => ({ scope, commits: list, files: [...new Set(list.flatMap((c) => c.files))].sort() }));
}

function git(cwd: string, args: string[]): { ok: boolean; out: string } {
  const result = spawnSync('git', args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { ok: result.status === 0, out: result.stdout ?? '' };
}

export function collectGitChanges(cwd: string): GitChanges {
  const inside = git(cwd, ['rev-parse', '--is-inside-work-tree']);
  if (!inside.ok || inside.out.trim() !== 'true') return { isGit: false, reason: `${cwd} is not a git checkout: no commits or changed files to list` };
  const log = git(cwd, ['log', '--name-only', `--format=${GIT_LOG_FORMAT}`]);
  const commits = parseGitLog(log.out);
  const uncommitted = git(cwd, ['status', '--porcelain']).out.split('\n').filter((l) => l.trim().length > 0);
  return {
    isGit: true,
    branch: git(cwd, ['rev-parse', '--abbrev-ref', 'HEAD']).out.trim(),
    head: git(cwd, ['rev-parse', '--short', 'HEAD']).out.trim(),
    uncommitted,
    commits,
    groups: groupCommitsByScope(commits),
  };
}
