import { ensureWebBuild } from '../../tools/web/ensure-build';

/** The browser tests drive the built UI: build it once per run when dist/web is missing or older than src/web. */
export default async function setup() {
  const started = Date.now();
  const outcome = await ensureWebBuild();
  if (outcome === 'vite-missing') throw new Error('The web UI is not built and vite is not installed: run npm install');
  if (outcome === 'built') console.log(`web UI built for the browser tests in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
