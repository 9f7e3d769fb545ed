import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpClient } from '../support/http-client';
import { startTestServer, STRONG_PASSWORD, TEST_APP_ENC_KEY, uniqueEmail, type TestServer } from '../support/test-server';
import { enableTwoFactor, startTwoFactorLogin, totpNextStep } from '../support/two-factor';

/** Session and cookie properties with NODE_ENV=production, where they matter. */
const COOKIE = '__Host-proofgate_session';
const APP_ORIGIN = 'https://proofgate.example';
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({
    env: {
      NODE_ENV: 'production',
      APP_ENC_KEY: TEST_APP_ENC_KEY,
      SESSION_IDLE_SECONDS: '900',
      SESSION_ABSOLUTE_SECONDS: '7200',
      // In production the app's origin is the one it is published under, never the address it listens on.
      PUBLIC_URL: APP_ORIGIN,
    },
  });
});
afterAll(async () => {
  await server?.close();
});

async function signUp(client: HttpClient = server.client()) {
  const email = uniqueEmail('prod');
  await client.post('/api/auth/register', { email, password: STRONG_PASSWORD });
  const login = await client.post('/api/auth/login', { email, password: STRONG_PASSWORD });
  return { client, email, login };
}

const token = (client: HttpClient) => client.cookies.get(COOKIE);

describe('production session cookie', () => {
  it('is __Host- prefixed, Secure, HttpOnly, SameSite=Strict, Path=/, host-only', async () => {
    const { login } = await signUp();
    const cookie = login.setCookies.find((c) => c.startsWith(`${COOKIE}=`))!;
    expect(cookie).toMatch(/; Secure(;|$)/);
    expect(cookie).toMatch(/; HttpOnly(;|$)/);
    expect(cookie).toMatch(/; SameSite=Strict(;|$)/);
    expect(cookie).toMatch(/; Path=\/(;|$)/);
    expect(cookie).not.toMatch(/Domain=/i);
    expect(login.setCookies.some((c) => c.startsWith('proofgate_session='))).toBe(false);
  });

  it('a new token on every login; the previous one stops working', async () => {
    const { client, email } = await signUp();
    const first = token(client)!;
    await client.post('/api/auth/login', { email, password: STRONG_PASSWORD });
    const second = token(client)!;
    expect(second).not.toBe(first);
    expect((await server.client().get('/api/auth/me', { headers: { cookie: `${COOKIE}=${first}` } })).status).toBe(401);
    expect((await client.get('/api/auth/me')).status).toBe(200);
  });

  it('2FA changes rotate the token and revoke every other session', async () => {
    const { client, email } = await signUp();
    const other = server.client();
    await other.post('/api/auth/login', { email, password: STRONG_PASSWORD });
    const before = token(client);
    const { secret } = await enableTwoFactor(server, client);
    const afterEnable = token(client);
    expect(afterEnable).not.toBe(before);
    expect((await other.get('/api/auth/me')).status).toBe(401);

    const second = await startTwoFactorLogin(server, email, STRONG_PASSWORD, server.client());
    await second.client.post('/api/auth/2fa/verify', { temp_token: second.tempToken, code: totpNextStep(server, secret) });
    await client.post('/api/auth/2fa/backup-codes/regenerate', { code: totpNextStep(server, secret) });
    expect(token(client)).not.toBe(afterEnable);
    expect((await second.client.get('/api/auth/me')).status).toBe(401);

    const beforeDisable = token(client);
    await client.post('/api/auth/2fa/disable', { code: totpNextStep(server, secret) });
    expect(token(client)).not.toBe(beforeDisable);
    expect((await client.get('/api/auth/me')).status).toBe(200);
  });

  it('logout kills the server-side session', async () => {
    const { client } = await signUp();
    const stolen = token(client)!;
    await client.post('/api/auth/logout');
    expect((await server.client().get('/api/auth/me', { headers: { cookie: `${COOKIE}=${stolen}` } })).status).toBe(401);
  });

  it('expires after 15 idle minutes and after 2 hours however active (fake clock)', async () => {
    const idle = await signUp();
    server.clock.advanceSeconds(901);
    expect((await idle.client.get('/api/auth/me')).status).toBe(401);

    const busy = await signUp();
    for (let t = 0; t < 7200 - 600; t += 600) {
      server.clock.advanceSeconds(600);
      expect((await busy.client.get('/api/auth/me')).status).toBe(200);
    }
    server.clock.advanceSeconds(601);
    expect((await busy.client.get('/api/auth/me')).status).toBe(401);
  });
});

describe('CSRF', () => {
  it('a cross-origin request riding the victim\'s cookie cannot disable 2FA; the same request from the app\'s origin can', async () => {
    const { client } = await signUp();
    const { secret } = await enableTwoFactor(server, client);
    const code = totpNextStep(server, secret);
    const forged = await client.post('/api/auth/2fa/disable', { code }, { headers: { origin: 'https://evil.example' } });
    expect(forged.status).toBe(403);
    expect(forged.body.error_code).toBe('ORIGIN_REJECTED');
    expect((await client.get('/api/auth/2fa/status')).body.enabled).toBe(true);

    const formPost = await client.request('POST', '/api/auth/2fa/disable', {
      raw: `code=${code}`,
      headers: { 'content-type': 'text/plain', 'sec-fetch-site': 'same-site' },
    });
    expect(formPost.status).toBe(415);
    expect((await client.get('/api/auth/2fa/status')).body.enabled).toBe(true);

    // The listening address is not the app's origin in production (a rebinding page could claim it via Host).
    const ownAddress = await client.post('/api/auth/2fa/disable', { code }, { headers: { origin: server.url } });
    expect(ownAddress.body.error_code).toBe('ORIGIN_REJECTED');

    const sameOrigin = await client.post('/api/auth/2fa/disable', { code }, { headers: { origin: APP_ORIGIN } });
    expect(sameOrigin.status).toBe(200);
  });
});
