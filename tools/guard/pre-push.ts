import { resolveCommit } from './git';
import type { RangeSpec } from './scope';

/** One line git writes to a pre-push hook: `<local ref> <local sha> <remote ref> <remote sha>`. */
export interface PushedRef {
  localRef: string;
  localSha: string;
  remoteRef: string;
  remoteSha: string;
}

const zeroSha = /^0+$/;

export function parsePrePushInput(input: string): PushedRef[] {
  return input
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields.length === 4)
    .map(([localRef = '', localSha = '', remoteRef = '', remoteSha = '']) => ({ localRef, localSha, remoteRef, remoteSha }));
}

/** What the push sends for one ref, or null for a deletion (nothing is sent, nothing to check). */
export function describePushedRange(root: string, ref: PushedRef): RangeSpec | null {
  if (zeroSha.test(ref.localSha)) return null;
  const label = `${ref.localRef} -> ${ref.remoteRef}`;
  // An update: the remote already has everything up to its old tip, if we know that commit.
  if (!zeroSha.test(ref.remoteSha) && resolveCommit(root, ref.remoteSha)) {
    return { label, head: ref.localSha, exclude: [ref.remoteSha] };
  }
  // A new branch (or an unknown remote tip): the commits that are on no remote-tracking branch yet.
  return { label, head: ref.localSha, exclude: ['--remotes'] };
}

/** The UI rule follows the branch being pushed to, not the local branch name. */
export function branchOfRemoteRef(remoteRef: string): string | null {
  return remoteRef.startsWith('refs/heads/') ? remoteRef.slice('refs/heads/'.length) : null;
}
