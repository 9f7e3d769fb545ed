import fs from 'node:fs';
import path from 'node:path';
import { CliError } from './args';

/**
 * Written under a temporary name and renamed: an interrupted backup never leaves a file that
 * looks complete. Mode 0600: a backup holds password hashes and encrypted secrets.
 */
export function writeFileAtomically(file: string, data: Uint8Array, options: { overwrite: boolean }): string {
  const target = path.resolve(file);
  if (!options.overwrite && fs.existsSync(target)) throw new CliError(`${target} already exists: choose another name, or pass --force to replace it`);
  const partial = `${target}.${process.pid}.partial`;
  try {
    fs.writeFileSync(partial, data, { mode: 0o600 });
    fs.renameSync(partial, target);
  } catch (error) {
    fs.rmSync(partial, { force: true });
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliError(`cannot write ${target}: ${code ?? (error as Error).message}`);
  }
  return target;
}
