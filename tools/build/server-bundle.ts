import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

/**
 * `npm start` runs the server from one JavaScript bundle, not through a TypeScript loader:
 * tsx keeps a loader thread with its own V8 heap alive for the life of the process, about
 * 40 MB of resident memory (npm run bench, docs/performance.md). esbuild bundles Proofgate's
 * own modules (about 0.3 s, so it simply runs at every start and is never stale); packages
 * stay in node_modules, imported as they are.
 */
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const serverEntry = path.join(repoRoot, 'src', 'server', 'main.ts');
export const serverBundle = path.join(repoRoot, 'dist', 'server', 'main.js');

export async function buildServerBundle(outfile = serverBundle): Promise<string> {
  // Written next to its final place and renamed: a server starting meanwhile never reads half a file.
  const partial = `${outfile}.${process.pid}.partial`;
  await build({
    entryPoints: [serverEntry],
    outfile: partial,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    packages: 'external',
    logLevel: 'warning',
  });
  fs.renameSync(partial, outfile);
  return outfile;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const started = Date.now();
  await buildServerBundle();
  console.log(`server: bundled into ${path.relative(repoRoot, serverBundle)} in ${Date.now() - started} ms`);
}
