import { listChangedPaths, listCommits, listTrackedFiles, runGit, type CommitInfo, type PathChange } from './git';

/** The whole tracked tree as it is on disk: what CI and `npm run guard` with no range check. */
export interface TreeScope {
  kind: 'tree';
  root: string;
  trackedPaths: string[];
}

export interface RangeCommit extends CommitInfo {
  changes: PathChange[];
}

/** A set of commits (a `base..head` range or what a push sends), newest first. */
export interface RangeScope {
  kind: 'range';
  root: string;
  label: string;
  head: string;
  commits: RangeCommit[];
  /** Every file in the head commit's tree, to tell changed paths that still exist from deleted ones. */
  headPaths: Set<string>;
}

export type Scope = TreeScope | RangeScope;

export interface RangeSpec {
  label: string;
  head: string;
  /** What to leave out: commit shas, or `--remotes` for "already on some remote". */
  exclude: string[];
}

export function buildTreeScope(root: string): TreeScope {
  return { kind: 'tree', root, trackedPaths: listTrackedFiles(root) };
}

export function buildRangeScope(root: string, spec: RangeSpec): RangeScope {
  const commits = listCommits(root, [spec.head], spec.exclude).map((commit) => ({
    ...commit,
    changes: listChangedPaths(root, commit),
  }));
  const headPaths = new Set(runGit(root, ['ls-tree', '-r', '-z', '--name-only', spec.head]).split('\0').filter(Boolean));
  return { kind: 'range', root, label: spec.label, head: spec.head, commits, headPaths };
}

/** Paths the scope holds at its end: tracked files, or files the range changed that still exist at head. */
export function listPathsAtEnd(scope: Scope): string[] {
  if (scope.kind === 'tree') return scope.trackedPaths;
  const changed = new Set(scope.commits.flatMap((commit) => commit.changes.map((change) => change.path)));
  return [...changed].filter((path) => scope.headPaths.has(path)).sort();
}
