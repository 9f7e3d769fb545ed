import { runGitBuffer } from './git';

/**
 * Reads many `<commit>:<path>` blobs with one `git cat-file --batch`, so a range of a hundred
 * commits costs one process, not a hundred. Missing objects map to null.
 */
export function readBlobs(root: string, specs: string[]): Map<string, Buffer | null> {
  const blobs = new Map<string, Buffer | null>();
  if (specs.length === 0) return blobs;
  // cat-file reads one object name per line; a path with a newline cannot be asked for.
  const askable = specs.filter((spec) => !spec.includes('\n'));
  const output = runGitBuffer(root, ['cat-file', '--batch'], askable.map((spec) => `${spec}\n`).join(''));
  let offset = 0;
  for (const spec of askable) {
    const headerEnd = output.indexOf(0x0a, offset);
    if (headerEnd < 0) break;
    const header = output.subarray(offset, headerEnd).toString('utf8');
    offset = headerEnd + 1;
    const match = /^[0-9a-f]+ (\w+) (\d+)$/.exec(header);
    if (!match) {
      blobs.set(spec, null); // "<spec> missing" (or ambiguous): nothing to read
      continue;
    }
    const size = Number(match[2]);
    const content = output.subarray(offset, offset + size);
    offset += size + 1; // content is followed by a newline
    blobs.set(spec, match[1] === 'blob' ? content : null);
  }
  return blobs;
}
