import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { CommandRun, ScreenshotFile } from './evidence';
import { manifestNameOf } from './screenshot-masks';

/** The two commands the proof runs beside its own flows: the guard and the browser tests. */

// Colour codes, in case a tool ignores NO_COLOR (built from a string: ESC in a regex literal is a lint error).
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;?]*[A-Za-z]`, 'g');

export function runCommand(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<CommandRun> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env: { ...env, FORCE_COLOR: '0', NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => chunks.push(d));
    child.stderr.on('data', (d: Buffer) => chunks.push(d));
    const finish = (exitCode: number | null, extra = '') =>
      resolve({
        command: [command, ...args].join(' '),
        exitCode,
        output: (Buffer.concat(chunks).toString('utf8') + extra).replace(ANSI, ''),
        durationMs: Math.round(performance.now() - started),
      });
    child.on('error', (error) => finish(null, `\n${error.message}`));
    child.on('close', (code) => finish(code));
  });
}

const PNG = /\.png$/;

/**
 * Copies every screenshot written since `sinceMs` into the report, with the masks manifest the
 * screenshot helper wrote beside it (when that too is from this run: an older one would vouch
 * for masks this picture may not have), and describes every screenshot found.
 */
export function collectScreenshots(sourceDir: string, targetDir: string, sinceMs: number): ScreenshotFile[] {
  if (!fs.existsSync(sourceDir)) return [];
  fs.mkdirSync(targetDir, { recursive: true });
  const files: ScreenshotFile[] = [];
  for (const name of fs.readdirSync(sourceDir).filter((n) => PNG.test(n)).sort()) {
    const source = path.join(sourceDir, name);
    const stat = fs.statSync(source);
    const bytes = fs.readFileSync(source);
    files.push({ name, sizeBytes: stat.size, mtimeMs: stat.mtimeMs, head: bytes.subarray(0, 8) });
    if (stat.mtimeMs < sinceMs) continue;
    fs.copyFileSync(source, path.join(targetDir, name));
    const manifest = path.join(sourceDir, manifestNameOf(name));
    if (fs.existsSync(manifest) && fs.statSync(manifest).mtimeMs >= sinceMs) fs.copyFileSync(manifest, path.join(targetDir, manifestNameOf(name)));
  }
  return files;
}
