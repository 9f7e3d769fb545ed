import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startChildServer } from '../support/processes';
import { testDatabaseKind } from '../support/test-database';
import { TEST_APP_ENC_KEY } from '../support/test-server';

/** `npm start`'s process: SIGTERM lets an in-flight request finish, then exits 0. */
describe.skipIf(testDatabaseKind() !== 'pglite')('graceful shutdown', () => {
  it('on SIGTERM stops accepting, answers the request in flight, and exits with code 0', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'proofgate-shutdown-'));
    try {
      const child = await startChildServer({ DATA_DIR: dataDir, APP_ENC_KEY: TEST_APP_ENC_KEY });
      // Open (and let the server accept) a keep-alive connection first, so the signal cannot
      // race the TCP accept; then a registration, which costs an argon2 hash, is in flight.
      expect((await fetch(`${child.url}/healthz`)).status).toBe(200);
      const inFlight = fetch(`${child.url}/api/auth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'shutdown@example.test', password: 'a long enough passphrase' }),
      });
      await new Promise((r) => setTimeout(r, 20));
      const exited = new Promise<number | null>((resolve) => child.process.once('exit', (code) => resolve(code)));
      child.process.kill('SIGTERM');
      const response = await inFlight;
      expect(response.status).toBe(201);
      expect(await exited).toBe(0);
      await expect(fetch(`${child.url}/healthz`)).rejects.toThrow();
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
