import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHILD_PROCESS_TEST_TIMEOUT_MS, startChildServer, waitFor } from '../support/processes';
import { testDatabaseKind } from '../support/test-database';
import { TEST_APP_ENC_KEY } from '../support/test-server';

/**
 * Sends the request's headers with `Expect: 100-continue` and resolves once the server answers
 * `100 Continue`: Node writes that only after it has parsed the headers and handed the request to
 * the app, so from then on the request is in flight on the server, whatever the machine's load.
 * `send()` then writes the body; `response` settles with the final answer.
 */
function requestInFlight(url: string, body: string): Promise<{ send(): void; response: Promise<{ status: number; body: string }> }> {
  return new Promise((resolveStarted, rejectStarted) => {
    const request = http.request(`${url}/api/auth/register`, {
      method: 'POST',
      agent: false,
      headers: {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        expect: '100-continue',
        connection: 'close',
      },
    });
    const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
      request.on('response', (res) => {
        // A final answer before 100 Continue means the server refused the headers: fail now, not at the timeout.
        rejectStarted(new Error(`answered ${res.statusCode} before 100 Continue`));
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      request.on('error', (error) => {
        reject(error);
        rejectStarted(error);
      });
    });
    response.catch(() => undefined);
    request.on('continue', () => resolveStarted({ send: () => request.end(body), response }));
    request.flushHeaders();
  });
}

/** `npm start`'s process: SIGTERM lets an in-flight request finish, then exits 0. */
describe.skipIf(testDatabaseKind() !== 'pglite')('graceful shutdown', () => {
  it('on SIGTERM stops accepting, answers the request in flight, and exits with code 0', { timeout: CHILD_PROCESS_TEST_TIMEOUT_MS }, async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'proofgate-shutdown-'));
    // LOG_LEVEL=info so the server's own "shutting down" line tells when the signal was handled.
    const child = await startChildServer({ DATA_DIR: dataDir, APP_ENC_KEY: TEST_APP_ENC_KEY, LOG_LEVEL: 'info' });
    try {
      // No sleeps: each step waits for the server to say the previous one happened.
      const inFlight = await requestInFlight(child.url, JSON.stringify({ email: 'shutdown@example.test', password: 'a long enough passphrase' }));
      const exited = new Promise<number | null>((resolve) => child.process.once('exit', (code) => resolve(code)));
      child.process.kill('SIGTERM');
      await waitFor(async () => child.output.join('').includes('"msg":"shutting down"'), 60_000, `the shutdown log line: ${child.output.join('')}`);
      // The server is stopping and has stopped accepting; the request it already holds still
      // gets its body and its answer (a registration: an argon2 hash, so it takes a while).
      await expect(fetch(`${child.url}/healthz`)).rejects.toThrow();
      inFlight.send();
      const response = await inFlight.response;
      expect(response.status, response.body).toBe(201);
      expect(await exited).toBe(0);
    } finally {
      await child.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
