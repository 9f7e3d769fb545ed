import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendRawRequest } from '../support/raw-http';
import { startTestServer, STRONG_PASSWORD, TEST_APP_ENC_KEY, uniqueEmail, type TestServer } from '../support/test-server';

/**
 * Threat: a DNS-rebinding page. evil.example first resolves to the attacker, serves a script,
 * then resolves to 127.0.0.1; the script's requests reach this server with
 * `Origin: http://evil.example:PORT` and `Host: evil.example:PORT`, which agree with each
 * other. Both are chosen by the client, so the Origin check must never derive "our own
 * origin" from Host: only PUBLIC_URL, ALLOWED_ORIGINS and (in development) the socket's own
 * listening address count.
 */

const PUBLIC_ORIGIN = 'https://proofgate.example';

let development: TestServer;
let production: TestServer;
beforeAll(async () => {
  // NODE_ENV=test is "not production": the development rules apply.
  development = await startTestServer({ env: { PUBLIC_URL: PUBLIC_ORIGIN } });
  production = await startTestServer({ env: { NODE_ENV: 'production', APP_ENC_KEY: TEST_APP_ENC_KEY, ALLOWED_ORIGINS: 'https://admin.proofgate.example' } });
});
afterAll(async () => {
  await development?.close();
  await production?.close();
});

const portOf = (server: TestServer) => Number(new URL(server.url).port);

/** A registration sent as the rebinding page's browser sends it: Host and Origin both name evil.example. */
async function rebindingRegister(server: TestServer, email: string) {
  const port = portOf(server);
  const body = JSON.stringify({ email, password: STRONG_PASSWORD });
  const request = [
    'POST /api/auth/register HTTP/1.1',
    `Host: evil.example:${port}`,
    `Origin: http://evil.example:${port}`,
    'Content-Type: application/json',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
    '',
    body,
  ].join('\r\n');
  return sendRawRequest(port, Buffer.from(request));
}

async function userExists(server: TestServer, email: string) {
  return (await server.proofgate.database.query('select 1 from users where email = $1', [email])).length > 0;
}

const register = (server: TestServer, origin: string) =>
  server.client().post('/api/auth/register', { email: uniqueEmail('origin'), password: STRONG_PASSWORD }, { headers: { origin } });

describe('DNS rebinding: Origin and Host chosen together by the page', () => {
  it('is refused with 403 ORIGIN_REJECTED in development, and creates nothing', async () => {
    const email = uniqueEmail('rebind');
    const response = await rebindingRegister(development, email);
    expect(response.status).toBe(403);
    expect(JSON.parse(response.body).error_code).toBe('ORIGIN_REJECTED');
    expect(await userExists(development, email)).toBe(false);
  });

  it('is refused in production too', async () => {
    const email = uniqueEmail('rebind');
    const response = await rebindingRegister(production, email);
    expect(response.status).toBe(403);
    expect(JSON.parse(response.body).error_code).toBe('ORIGIN_REJECTED');
    expect(await userExists(production, email)).toBe(false);
  });

  it('a loopback name on another port (another local app) is refused', async () => {
    const other = portOf(development) === 1 ? 2 : portOf(development) - 1;
    for (const origin of [`http://127.0.0.1:${other}`, `http://localhost:${other}`, `https://127.0.0.1:${portOf(development)}`]) {
      const response = await register(development, origin);
      expect(response.status, origin).toBe(403);
      expect(response.body.error_code).toBe('ORIGIN_REJECTED');
    }
  });
});

describe('the allow-list', () => {
  it('development: the server’s own listening address passes, under each loopback spelling', async () => {
    const port = portOf(development);
    for (const origin of [`http://127.0.0.1:${port}`, `http://localhost:${port}`]) {
      expect((await register(development, origin)).status, origin).toBe(201);
    }
  });

  it('PUBLIC_URL’s origin passes', async () => {
    expect((await register(development, PUBLIC_ORIGIN)).status).toBe(201);
  });

  it('production: the server’s own address does not pass; ALLOWED_ORIGINS does', async () => {
    const port = portOf(production);
    for (const origin of [`http://127.0.0.1:${port}`, `http://localhost:${port}`]) {
      const response = await register(production, origin);
      expect(response.status, origin).toBe(403);
      expect(response.body.error_code).toBe('ORIGIN_REJECTED');
    }
    expect((await register(production, 'https://admin.proofgate.example')).status).toBe(201);
  });

  it('requests without Origin still pass (curl); a cross-site fetch without Origin does not', async () => {
    expect((await production.client().post('/api/auth/register', { email: uniqueEmail('curl'), password: STRONG_PASSWORD })).status).toBe(201);
    const crossSite = await production.client().post('/api/auth/logout', undefined, { headers: { 'sec-fetch-site': 'cross-site' } });
    expect(crossSite.status).toBe(403);
    expect(crossSite.body.error_code).toBe('ORIGIN_REJECTED');
  });
});
