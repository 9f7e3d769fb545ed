import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/server/lib/project-root';

/**
 * The default destination writes each line before the log call returns: no line waits for
 * libuv's thread pool (argon2's), and none is lost when the process ends right after it.
 */
describe('createLogger default destination', () => {
  it('has written the line to stdout when the log call returns', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'proofgate-logger-'));
    const out = path.join(dir, 'stdout.log');
    const script = `
      import fs from 'node:fs';
      import { createLogger } from './src/server/lib/logger.ts';
      const logger = createLogger('info');
      logger.info({ marker: 'first' }, 'written at once');
      const seen = fs.readFileSync(${JSON.stringify(out)}, 'utf8');
      process.stderr.write(seen.includes('"marker":"first"') ? 'SEEN' : 'NOT_YET');
    `;
    const fd = fs.openSync(out, 'w');
    try {
      const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        cwd: projectRoot,
        stdio: ['ignore', fd, 'pipe'],
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(child.stderr.trim().split('\n').at(-1)).toBe('SEEN');
      expect(fs.readFileSync(out, 'utf8')).toMatch(/"msg":"written at once"/);
    } finally {
      fs.closeSync(fd);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
