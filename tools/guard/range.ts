import { UsageError } from './args';
import { resolveCommit } from './git';
import type { RangeSpec } from './scope';

/** `BASE..HEAD` → the commits reachable from HEAD and not from BASE, as `git log BASE..HEAD` lists them. */
export function parseRangeOption(root: string, range: string): RangeSpec {
  const separator = range.indexOf('..');
  const base = range.slice(0, separator);
  const head = range.slice(separator + 2);
  // A symmetric `A...B` would also pull in the base's own commits.
  if (separator <= 0 || head.length === 0 || head.startsWith('.')) {
    throw new UsageError(`--range must look like BASE..HEAD (got "${range}")`);
  }
  const baseSha = resolveCommit(root, base);
  const headSha = resolveCommit(root, head);
  if (!baseSha) throw new UsageError(`--range: "${base}" is not a commit in this repository`);
  if (!headSha) throw new UsageError(`--range: "${head}" is not a commit in this repository`);
  return { label: range, head: headSha, exclude: [baseSha] };
}
