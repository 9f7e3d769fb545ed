import fs from 'node:fs';
import path from 'node:path';
import type { WrittenFile } from './evidence';

/** Writing the report folder and reading every file of it back as bytes for the scan. */

export function writeText(dir: string, relative: string, contents: string): void {
  const file = path.join(dir, relative);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, contents);
}

export function readAllFiles(dir: string): WrittenFile[] {
  const out: WrittenFile[] = [];
  const walk = (current: string) => {
    for (const entry of fs.readdirSync(current, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) walk(full);
      else out.push({ path: path.relative(dir, full), bytes: fs.readFileSync(full) });
    }
  };
  walk(dir);
  return out;
}

/** proof/<UTC timestamp>, made exclusively: two runs never share a folder. */
export function createReportDir(root: string, startedAtMs: number): { dir: string; name: string } {
  fs.mkdirSync(root, { recursive: true });
  const base = new Date(startedAtMs).toISOString().replace(/:/g, '-').replace(/\.\d{3}Z$/, 'Z');
  for (let n = 1; ; n += 1) {
    const name = n === 1 ? base : `${base}-${n}`;
    const dir = path.join(root, name);
    try {
      fs.mkdirSync(dir);
      return { dir, name };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}
