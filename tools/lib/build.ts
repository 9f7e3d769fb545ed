import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleForNode } from '../build/server-bundle';
import { fixDeclarationImports } from './fix-declaration-imports';

/**
 * npm run build:lib: the `proofgate` package's files, plain JavaScript and declarations, so a
 * host runs it with no TypeScript loader.
 *   dist/lib/index.js      the server library (our modules bundled, packages left to node_modules)
 *   dist/react/            proofgate/react (Vite library mode; React and friends stay external)
 *   dist/types/            declarations for both entries
 * Migrations ship as they are (src/server/db/migrations, listed in package.json "files").
 */
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const bin = (name: string) => path.join(repoRoot, 'node_modules', '.bin', name);

function run(command: string, args: string[]): void {
  execFileSync(command, args, { cwd: repoRoot, stdio: 'inherit' });
}

const started = Date.now();
fs.rmSync(path.join(repoRoot, 'dist', 'lib'), { recursive: true, force: true });
fs.rmSync(path.join(repoRoot, 'dist', 'types'), { recursive: true, force: true });
await bundleForNode(path.join(repoRoot, 'src', 'server', 'index.ts'), path.join(repoRoot, 'dist', 'lib', 'index.js'));
run(bin('tsc'), ['-p', 'tsconfig.lib.json']);
if (fs.existsSync(path.join(repoRoot, 'vite.lib.config.ts'))) {
  run(bin('vite'), ['build', '--config', 'vite.lib.config.ts', '--logLevel', 'warn']);
  run(bin('tsc'), ['-p', 'tsconfig.react.json']);
}
const fixed = fixDeclarationImports(path.join(repoRoot, 'dist', 'types'));
console.log(`lib: built dist/lib, dist/react and dist/types (${fixed} declaration files re-pathed) in ${Date.now() - started} ms`);
