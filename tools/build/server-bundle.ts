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
const threadpoolEntry = path.join(repoRoot, 'src', 'server', 'boot', 'threadpool.ts');
/** `npm start` preloads it with --require: see src/server/boot/threadpool.ts for why it cannot live in the bundle. */
export const threadpoolPreload = path.join(repoRoot, 'dist', 'server', 'threadpool.cjs');

/**
 * One module for Node 20 from a TypeScript entry (an ES module unless a CommonJS preload is
 * asked for): our own modules bundled, packages left to node_modules (so the process shares
 * their module instances with anything else it loads).
 */
export async function bundleForNode(entry: string, outfile: string, format: 'esm' | 'cjs' = 'esm'): Promise<void> {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format,
    packages: 'external',
    // V8 keeps a module's whole source in memory, and a single non-ASCII character in a comment
    // makes it a two-byte string: without comments and indentation the bundle's source is about
    // 1 MB less heap. Identifiers stay, and keepNames keeps function names for stack traces.
    minifyWhitespace: true,
    minifySyntax: true,
    keepNames: true,
    logLevel: 'warning',
  });
}

export async function buildServerBundle(outfile = serverBundle): Promise<string> {
  // Written next to their final places and renamed: a server starting meanwhile never reads half a file.
  const partial = `${outfile}.${process.pid}.partial`;
  await bundleForNode(serverEntry, partial);
  const preloadPartial = `${threadpoolPreload}.${process.pid}.partial`;
  await bundleForNode(threadpoolEntry, preloadPartial, 'cjs');
  fs.renameSync(preloadPartial, threadpoolPreload);
  fs.renameSync(partial, outfile);
  return outfile;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const started = Date.now();
  await buildServerBundle();
  console.log(`server: bundled into ${path.relative(repoRoot, serverBundle)} in ${Date.now() - started} ms`);
}
