import fs from 'node:fs';
import path from 'node:path';

/**
 * The Node.js flags `npm start` runs the server with (package.json's start script), so the bench
 * measures the server exactly as it is started and the two cannot drift apart.
 */
export function npmStartNodeFlags(): string[] {
  const { scripts } = JSON.parse(fs.readFileSync(path.resolve('package.json'), 'utf8')) as { scripts: { start: string } };
  const words = scripts.start.trim().split(/\s+/);
  if (words[0] !== 'node' || words.at(-1) !== 'dist/server/main.js') {
    throw new Error(`package.json's start script is no longer "node [flags] dist/server/main.js": ${scripts.start}`);
  }
  return words.slice(1, -1);
}
