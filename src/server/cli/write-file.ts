import fs from 'node:fs';
import path from 'node:path';
import { CliError } from './args';

/**
 * Creates the missing folders above a file one by one (mode 0700), so
 * `db:backup backups/$(date +%F).tar.gz` works the first time too. Not mkdirSync's recursive
 * option: on Node 20 it never returns for a path under /proc.
 */
function makeParents(folder: string): void {
  const missing: string[] = [];
  for (let dir = folder; !fs.existsSync(dir); dir = path.dirname(dir)) {
    missing.unshift(dir);
    if (path.dirname(dir) === dir) break;
  }
  for (const dir of missing) fs.mkdirSync(dir, { mode: 0o700 });
}

/**
 * Written under a temporary name and renamed: an interrupted backup never leaves a file that
 * looks complete. Mode 0600: a backup holds password hashes and encrypted secrets.
 */
export function writeFileAtomically(file: string, data: Uint8Array, options: { overwrite: boolean }): string {
  const target = path.resolve(file);
  if (!options.overwrite && fs.existsSync(target)) throw new CliError(`${target} already exists: choose another name, or pass --force to replace it`);
  const partial = `${target}.${process.pid}.partial`;
  try {
    makeParents(path.dirname(target));
    fs.writeFileSync(partial, data, { mode: 0o600 });
    fs.renameSync(partial, target);
  } catch (error) {
    fs.rmSync(partial, { force: true });
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliError(`cannot write ${target}: ${code ?? (error as Error).message}`);
  }
  return target;
}
