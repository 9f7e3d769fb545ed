import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpClient, HttpResponse } from '../support/http-client';
import { testDatabaseKind } from '../support/test-database';
import { startTestServer, type TestServer } from '../support/test-server';
import { createTwoFactorUser, startTwoFactorLogin, totpNextStep } from '../support/two-factor';

/**
 * A remembered browser signing in while the password changes: whichever commits first, no
 * session opened through the remembered device outlives the change, and the device itself is
 * forgotten. Many rounds, zero escapes; on the PostgreSQL project against PostgreSQL (and a
 * Redis limiter store when TEST_REDIS_URL is set).
 */

const ROUNDS = 8;
const LOGINS_PER_ROUND = 30;
const STREAM_GAP_MS = 4;
const NEW_PASSWORD = 'a brand new passphrase 42';
const REMEMBER = 'proofgate_remember';
const RACE_TIMEOUT_MS = 300_000;

const redisEnv =
  testDatabaseKind() === 'postgres' && process.env.TEST_REDIS_URL
    ? { REDIS_URL: process.env.TEST_REDIS_URL, REDIS_KEY_PREFIX: `pgtest_${randomBytes(4).toString('hex')}` }
    : {};

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({
    env: {
      TRUST_PROXY: 'loopback',
      LOGIN_IP_EMAIL_MAX_FAILURES: '10000',
      LOGIN_IP_MAX_FAILURES: '100000',
      LOGIN_EMAIL_MAX_FAILURES: '10000',
      TWO_FACTOR_IP_MAX_FAILURES: '100000',
      ...redisEnv,
    },
  });
});
afterAll(async () => {
  await server?.close();
});

const clientIp = (i: number) => ({ 'x-forwarded-for': `203.0.113.${(i % 5) + 20}` });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('remembered-device logins vs a password change', () => {
  it(`leave zero live sessions and no honoured device afterwards (${ROUNDS} rounds × ${LOGINS_PER_ROUND} logins)`, async () => {
    let rememberedSessions = 0;
    const survivors: string[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      const user = await createTwoFactorUser(server);
      // The remembered browser: its cookie is copied into every login of the stream.
      const { client: browser, tempToken } = await startTwoFactorLogin(server, user.email);
      const verify = await browser.post('/api/auth/2fa/verify', { temp_token: tempToken, code: totpNextStep(server, user.secret), remember_device: true });
      expect(verify.status, verify.text).toBe(200);
      const rememberToken = browser.cookies.get(REMEMBER)!;
      const ownerLogin = await startTwoFactorLogin(server, user.email);
      const owner = ownerLogin.client;
      expect((await owner.post('/api/auth/2fa/verify', { temp_token: ownerLogin.tempToken, code: totpNextStep(server, user.secret) })).status).toBe(200);

      const logins: Array<Promise<{ client: HttpClient; response: HttpResponse }>> = [];
      let changed: Promise<HttpResponse> | undefined;
      for (let i = 0; i < LOGINS_PER_ROUND; i += 1) {
        if (i === Math.floor(LOGINS_PER_ROUND / 3)) {
          changed = owner.post('/api/auth/password', { current_password: user.password, new_password: NEW_PASSWORD });
        }
        const client = server.client();
        client.cookies.set(REMEMBER, rememberToken);
        logins.push(
          client.post('/api/auth/login', { email: user.email, password: user.password }, { headers: clientIp(i) }).then((response) => ({ client, response })),
        );
        await sleep(STREAM_GAP_MS);
      }
      const change = await changed!;
      expect(change.status, change.text).toBe(200);
      for (const { client, response } of await Promise.all(logins)) {
        expect([200, 401, 429, 503], response.text).toContain(response.status);
        if (response.status !== 200 || response.body.requires_2fa !== false) continue;
        rememberedSessions += 1;
        const probe = await client.get('/api/auth/me');
        if (probe.status !== 401) survivors.push(`round ${round}: remembered session → ${probe.status}`);
      }
      // The device is forgotten: the new password in the same browser still needs the code.
      const afterwards = server.client();
      afterwards.cookies.set(REMEMBER, rememberToken);
      const relogin = await afterwards.post('/api/auth/login', { email: user.email, password: NEW_PASSWORD });
      if (relogin.body.requires_2fa !== true) survivors.push(`round ${round}: remembered device still honoured (${relogin.status})`);
      expect((await owner.get('/api/auth/sessions')).body.remembered_devices).toEqual([]);
    }
    expect(survivors).toEqual([]);
    // The stream overlapped the change: some logins did get a remembered session before it.
    expect(rememberedSessions).toBeGreaterThan(0);
  }, RACE_TIMEOUT_MS);
});
