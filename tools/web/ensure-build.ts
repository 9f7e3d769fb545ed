import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * `npm start` runs this first (prestart): builds the web UI into dist/web when it is missing or
 * older than its sources, so users never start a second server. Skipped when SERVE_WEB is off.
 */
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const webDistIndex = path.join(repoRoot, 'dist', 'web', 'index.html');
// The UI also bundles src/common (the phone-number rule it shares with the server).
const sourceRoots = [path.join(repoRoot, 'src', 'web'), path.join(repoRoot, 'src', 'common'), path.join(repoRoot, 'vite.config.ts')];

function newestMtimeMs(entry: string): number {
  const stat = fs.statSync(entry, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const child of fs.readdirSync(entry)) newest = Math.max(newest, newestMtimeMs(path.join(entry, child)));
  return newest;
}

export type WebBuildOutcome = 'up-to-date' | 'built' | 'vite-missing';

export function webBuildIsCurrent(): boolean {
  const built = fs.statSync(webDistIndex, { throwIfNoEntry: false });
  if (!built) return false;
  return sourceRoots.every((root) => newestMtimeMs(root) <= built.mtimeMs);
}

export async function ensureWebBuild(): Promise<WebBuildOutcome> {
  if (webBuildIsCurrent()) return 'up-to-date';
  let vite: typeof import('vite');
  try {
    vite = await import('vite');
  } catch {
    // Installed without devDependencies: keep an existing (older) build, or run API-only.
    return 'vite-missing';
  }
  // Vite builds whatever NODE_ENV says; under vitest that is "test", which would ship React's
  // development build. Users get the production build, so tests must too.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await vite.build({ configFile: path.join(repoRoot, 'vite.config.ts'), mode: 'production', logLevel: 'warn' });
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
  return 'built';
}

const serveWebOff = /^(false|0|no)$/i.test(process.env.SERVE_WEB ?? '');
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  if (serveWebOff) {
    console.log('web UI: SERVE_WEB is off, not building it');
  } else {
    const started = Date.now();
    const outcome = await ensureWebBuild();
    if (outcome === 'built') console.log(`web UI: built into dist/web in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    else if (outcome === 'up-to-date') console.log('web UI: dist/web is up to date');
    else if (fs.existsSync(webDistIndex)) console.log('web UI: vite is not installed, serving the existing dist/web');
    else console.log('web UI: not built and vite is not installed (npm install to get it); serving the API only');
  }
}
