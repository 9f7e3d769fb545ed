import { lstatSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readBlobs } from './blobs';
import { listPathsAtEnd, type Scope } from './scope';

export interface TextFile {
  path: string;
  /** The commit this version comes from; absent for the working tree. */
  commit?: string;
  text: string;
}

type PathFilter = (path: string) => boolean;

/** Text of the files the scope ends with (binary files skipped). */
export function readFilesAtEnd(scope: Scope, wanted: PathFilter): TextFile[] {
  const paths = listPathsAtEnd(scope).filter(wanted);
  if (scope.kind === 'tree') return readWorkingTreeFiles(scope.root, paths);
  return readCommittedFiles(scope.root, paths.map((path) => ({ commit: scope.head, path })));
}

/**
 * Every version of a file that a commit in the range wrote, oldest commit first. A secret added
 * in one commit and deleted in the next is still pushed, so the head alone is not enough.
 */
export function readFilesIntroduced(scope: Scope, wanted: PathFilter): TextFile[] {
  if (scope.kind === 'tree') return readFilesAtEnd(scope, wanted);
  const versions = [...scope.commits]
    .reverse()
    .flatMap((commit) =>
      commit.changes
        .filter((change) => change.status !== 'D' && wanted(change.path))
        .map((change) => ({ commit: commit.sha, path: change.path })),
    );
  return readCommittedFiles(scope.root, versions);
}

function readWorkingTreeFiles(root: string, paths: string[]): TextFile[] {
  const files: TextFile[] = [];
  for (const path of paths) {
    const absolute = join(root, path);
    // A tracked symlink could point anywhere on the machine; submodules are directories.
    const stat = lstatSync(absolute, { throwIfNoEntry: false });
    if (!stat?.isFile()) continue;
    const content = readFileSync(absolute);
    if (!isBinary(content)) files.push({ path, text: content.toString('utf8') });
  }
  return files;
}

function readCommittedFiles(root: string, versions: { commit: string; path: string }[]): TextFile[] {
  const blobs = readBlobs(root, versions.map(({ commit, path }) => `${commit}:${path}`));
  const files: TextFile[] = [];
  for (const { commit, path } of versions) {
    const content = blobs.get(`${commit}:${path}`);
    if (content && !isBinary(content)) files.push({ path, commit, text: content.toString('utf8') });
  }
  return files;
}

/** Git's own heuristic: a NUL byte in the first 8000 bytes means binary. */
function isBinary(content: Buffer): boolean {
  return content.subarray(0, 8000).includes(0);
}
