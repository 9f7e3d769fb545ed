import { spawnSync } from 'node:child_process';

/** A git command that failed; the guard reports it instead of guessing a result. */
export class GitError extends Error {
  override name = 'GitError';
}

export interface CommitInfo {
  sha: string;
  parents: string[];
  subject: string;
}

export interface PathChange {
  /** git's status letter: A, M, D, T; merges report M for every path their combined diff lists. */
  status: string;
  path: string;
}

const maxOutputBytes = 512 * 1024 * 1024;

export function runGitBuffer(root: string, args: string[], input?: string): Buffer {
  const result = spawnSync('git', args, { cwd: root, input, maxBuffer: maxOutputBytes });
  if (result.error) throw new GitError(`git ${args.join(' ')}: ${result.error.message}`);
  if (result.status !== 0) {
    throw new GitError(`git ${args.join(' ')} failed: ${result.stderr.toString('utf8').trim()}`);
  }
  return result.stdout;
}

export function runGit(root: string, args: string[], input?: string): string {
  return runGitBuffer(root, args, input).toString('utf8');
}

export function findRepoRoot(cwd: string): string {
  return runGit(cwd, ['rev-parse', '--show-toplevel']).trim();
}

export function listTrackedFiles(root: string): string[] {
  return splitNul(runGit(root, ['ls-files', '-z']));
}

/** Resolves a revision to a commit sha, or null when it names no commit. */
export function resolveCommit(root: string, revision: string): string | null {
  // A revision starting with "-" would be read by git as an option.
  if (revision.startsWith('-')) return null;
  const result = spawnSync('git', ['rev-parse', '--verify', '--quiet', `${revision}^{commit}`], { cwd: root });
  if (result.status !== 0) return null;
  return result.stdout.toString('utf8').trim();
}

export function currentBranch(root: string): string | null {
  const result = spawnSync('git', ['symbolic-ref', '--quiet', '--short', 'HEAD'], { cwd: root });
  return result.status === 0 ? result.stdout.toString('utf8').trim() : null;
}

/** Commits reachable from `include` but from none of `exclude`, newest first; `--remotes` style options allowed in exclude. */
export function listCommits(root: string, include: string[], exclude: string[]): CommitInfo[] {
  const args = ['-c', 'log.showSignature=false', 'log', '--no-color', '--topo-order', '--format=%H%x1f%P%x1f%s%x1e'];
  const output = runGit(root, [...args, ...include, '--not', ...exclude, '--']);
  return output
    .split('\x1e')
    .map((record) => record.trim())
    .filter((record) => record.length > 0)
    .map((record) => {
      const [sha = '', parents = '', subject = ''] = record.split('\x1f');
      return { sha, parents: parents.split(' ').filter(Boolean), subject };
    });
}

/**
 * Paths a commit changes. A merge lists only the paths that differ from every parent (its own
 * conflict resolutions and "evil" edits); the commits it brings in are judged one by one.
 */
export function listChangedPaths(root: string, commit: CommitInfo): PathChange[] {
  if (commit.parents.length > 1) {
    const output = runGit(root, ['diff-tree', '-r', '--no-commit-id', '--no-renames', '-c', '--name-only', '-z', commit.sha]);
    return splitNul(output).map((path) => ({ status: 'M', path }));
  }
  const fields = splitNul(runGit(root, ['diff-tree', '-r', '--no-commit-id', '--no-renames', '--name-status', '-z', '--root', commit.sha]));
  const changes: PathChange[] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) {
    changes.push({ status: fields[i] ?? '', path: fields[i + 1] ?? '' });
  }
  return changes;
}

export function isAncestor(root: string, ancestor: string, descendant: string): boolean {
  const result = spawnSync('git', ['merge-base', '--is-ancestor', ancestor, descendant], { cwd: root });
  if (result.status === 0) return true;
  if (result.status === 1) return false;
  throw new GitError(`git merge-base --is-ancestor failed: ${result.stderr.toString('utf8').trim()}`);
}

/** Tips of the local branch and every remote-tracking branch with this name. */
export function listBranchTips(root: string, branch: string): string[] {
  const output = runGit(root, ['for-each-ref', '--format=%(objectname)', `refs/heads/${branch}`, `refs/remotes/*/${branch}`]);
  return output.split('\n').filter(Boolean);
}

function splitNul(output: string): string[] {
  return output.split('\0').filter((field) => field.length > 0);
}
