/**
 * Run by test/unit/express-server.test.ts as `node --allow-natives-syntax --import tsx`: serves
 * Proofgate's standalone app (embedded PGlite in a temporary folder) as npm start listens (listenGuarded),
 * makes a sign-up, a sign-in, session checks and refused requests, and prints one JSON line per
 * answered request saying whether V8 still kept its request and response objects in fast mode
 * (a shared hidden class) when the answer was sent.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { createStandaloneProofgate } from '../../src/server/app';
import { loadConfig } from '../../src/server/config';
import { listenGuarded } from '../../src/server/http/listen';

// Only with --allow-natives-syntax; built at run time so no bundler or type checker parses it.
const hasFastProperties = new Function('object', 'return %HasFastProperties(object)') as (object: unknown) => boolean;

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'proofgate-fast-properties-'));
const gate = await createStandaloneProofgate(
  loadConfig({ NODE_ENV: 'test', SERVE_WEB: 'false', DATA_DIR: dataDir, APP_ENC_KEY: Buffer.alloc(32, 7).toString('base64'), LOG_LEVEL: 'silent' }),
);
const server = await listenGuarded(gate.app, 0, '127.0.0.1');
server.prependListener('request', (req, res) => {
  res.once('finish', () => {
    const line = { request: `${req.method} ${req.url}`, status: res.statusCode, req: hasFastProperties(req), res: hasFastProperties(res) };
    process.stdout.write(`${JSON.stringify(line)}\n`);
  });
});
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const json = { 'content-type': 'application/json' };
const account = { email: 'fast.properties@example.com', password: 'quartz-lantern-meadow-41' };
try {
  for (let round = 0; round < 3; round += 1) {
    await fetch(`${url}/healthz`);
    await fetch(`${url}/api/auth/me`);
    await fetch(`${url}/api/auth/2fa/verify`, { method: 'POST', headers: json, body: JSON.stringify({ temp_token: 'tt_unknown', code: '123456' }) });
    await fetch(`${url}/api/auth/login`, { method: 'POST', headers: json, body: '{"email":' });
  }
  await fetch(`${url}/api/auth/register`, { method: 'POST', headers: json, body: JSON.stringify(account) });
  for (let round = 0; round < 3; round += 1) {
    const login = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: json, body: JSON.stringify(account) });
    const cookie = login.headers.getSetCookie().map((c) => c.split(';', 1)[0]).join('; ');
    await fetch(`${url}/api/auth/me`, { headers: { cookie } });
  }
} finally {
  server.close();
  await gate.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
