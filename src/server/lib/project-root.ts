import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder holding Proofgate's package.json, found by walking up from this module. The server
 * runs from its TypeScript sources (tests, `npm run dev`, the CLI) or from the bundle `npm start`
 * builds into dist/server/, where every module shares the bundle's import.meta.url: paths to
 * files outside the code (migrations, the built UI) are resolved from here in both cases.
 */
export function findProjectRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest) && (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: string }).name === 'proofgate') {
      return dir;
    }
    if (path.dirname(dir) === dir) throw new Error(`Proofgate's package.json was not found above ${start}`);
  }
}

export const projectRoot = findProjectRoot(path.dirname(fileURLToPath(import.meta.url)));
