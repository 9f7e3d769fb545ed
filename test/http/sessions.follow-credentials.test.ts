import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpClient } from '../support/http-client';
import { expectOnlyCleanAnswers, RACE_TIMEOUT_MS, redisLimiterEnv, startRaceServer, streamLoginsAcross } from '../support/login-race';
import { registerAndLogin, startTestServer, STRONG_PASSWORD, uniqueEmail, type TestServer } from '../support/test-server';
import { addPasskey, newAuthenticator } from '../support/passkeys';
import { createTwoFactorUser, enableTwoFactor, startTwoFactorLogin, totpNextStep, totpNow } from '../support/two-factor';

/**
 * Sessions follow credentials: nothing issued from an old password or an old factor state —
 * session, temp token or device cookie — is honoured once the change has answered, however the
 * requests interleave (test/support/login-race.ts streams the logins).
 */

const ROUNDS = 10;
const LOGINS_PER_ROUND = 40;
const NEW_PASSWORD = 'a brand new passphrase 42';

const redisEnv = redisLimiterEnv();

let server: TestServer;
beforeAll(async () => {
  server = await startRaceServer(redisEnv);
});
afterAll(async () => {
  await server?.close();
});

/** Several client addresses, so the stream looks like an attacker with a few machines. */
const clientIp = (i: number) => ({ 'x-forwarded-for': `203.0.113.${(i % 5) + 10}` });

/** The logins of one round: `LOGINS_PER_ROUND` with `password`, `change` landing among them. */
const streamLogins = (email: string, password: string, change: () => Promise<void>) =>
  streamLoginsAcross(server, { email, password, logins: LOGINS_PER_ROUND, firstIpOctet: 10 }, change);

describe('password change vs logins in flight with the old password', () => {
  it(`leaves zero old-password sessions alive (${ROUNDS} rounds × ${LOGINS_PER_ROUND} logins)`, async () => {
    let sessionsIssued = 0;
    const survivors: string[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      const owner = await registerAndLogin(server, uniqueEmail('race-pw'));
      let ownerSessionWorks = false;
      const logins = await streamLogins(owner.email, owner.password, async () => {
        const changed = await owner.client.post('/api/auth/password', { current_password: owner.password, new_password: NEW_PASSWORD });
        expect(changed.status, changed.text).toBe(200);
        ownerSessionWorks = (await owner.client.get('/api/auth/me')).status === 200;
      });
      expectOnlyCleanAnswers(logins);
      expect(ownerSessionWorks).toBe(true);
      for (const { client, response } of logins) {
        if (response.status !== 200 || response.body.requires_2fa !== false) continue;
        sessionsIssued += 1;
        for (const [method, path, body] of [
          ['GET', '/api/auth/me', undefined],
          ['POST', '/api/auth/2fa/setup', undefined],
          ['POST', '/api/auth/password', { current_password: owner.password, new_password: 'attacker passphrase 99' }],
        ] as const) {
          const probe = await client.request(method, path, body ? { json: body } : {});
          if (probe.status !== 401) survivors.push(`round ${round}: ${method} ${path} → ${probe.status}`);
        }
      }
      // The owner's new password works, the old one no longer does.
      expect((await server.client().post('/api/auth/login', { email: owner.email, password: NEW_PASSWORD })).status).toBe(200);
      expect((await server.client().post('/api/auth/login', { email: owner.email, password: owner.password })).status).toBe(401);
    }
    expect(survivors).toEqual([]);
    // The stream did overlap the change: some logins won sessions before it (then lost them).
    expect(sessionsIssued).toBeGreaterThan(0);
  }, RACE_TIMEOUT_MS);
});

describe('2FA enable vs password logins in flight', () => {
  it(`leaves zero password-only (AAL1) sessions able to reach any authenticated route (${ROUNDS} rounds)`, async () => {
    const escapes: string[] = [];
    let aal1Issued = 0;
    for (let round = 0; round < ROUNDS; round += 1) {
      const owner = await registerAndLogin(server, uniqueEmail('race-2fa'));
      const setup = await owner.client.post('/api/auth/2fa/setup');
      expect(setup.status).toBe(200);
      const logins = await streamLogins(owner.email, owner.password, async () => {
        const confirm = await owner.client.post('/api/auth/2fa/confirm', { code: totpNow(server, setup.body.secret) });
        expect(confirm.status, confirm.text).toBe(200);
      });
      expectOnlyCleanAnswers(logins);
      for (const { client, response } of logins) {
        if (response.status !== 200 || response.body.requires_2fa !== false) continue;
        aal1Issued += 1;
        for (const [method, path, body] of [
          ['GET', '/api/auth/me', undefined],
          ['GET', '/api/auth/security-events', undefined],
          ['GET', '/api/auth/2fa/status', undefined],
          ['POST', '/api/auth/reauthenticate', { password: owner.password }],
          ['POST', '/api/auth/password', { current_password: owner.password, new_password: 'attacker passphrase 99' }],
          ['GET', '/api/system/status', undefined],
        ] as const) {
          const probe = await client.request(method, path, body ? { json: body } : {});
          if (probe.status < 400) escapes.push(`round ${round}: ${method} ${path} → ${probe.status}`);
        }
      }
      // The owner is still signed in at AAL2 and the account still has its password.
      const me = await owner.client.get('/api/auth/me');
      expect(me.status).toBe(200);
      expect(me.body.session.aal).toBe(2);
    }
    expect(escapes).toEqual([]);
    expect(aal1Issued).toBeGreaterThan(0);
  }, RACE_TIMEOUT_MS);
});

// The password step reads the user and its factors in one statement, before the argon2 check:
// a passkey that lands during the check must still keep every AAL1 session out.
describe('first passkey vs password logins in flight', () => {
  it(`leaves zero password-only (AAL1) sessions alive, and every later login owes the passkey (${ROUNDS} rounds)`, async () => {
    const escapes: string[] = [];
    let aal1Issued = 0;
    for (let round = 0; round < ROUNDS; round += 1) {
      const owner = await registerAndLogin(server, uniqueEmail('race-passkey'));
      const logins = await streamLogins(owner.email, owner.password, async () => {
        await addPasskey(owner.client, newAuthenticator(server));
      });
      expectOnlyCleanAnswers(logins);
      for (const { client, response } of logins) {
        if (response.status !== 200 || response.body.requires_2fa !== false) continue;
        aal1Issued += 1;
        for (const [method, path] of [
          ['GET', '/api/auth/me'],
          ['GET', '/api/auth/passkeys'],
          ['GET', '/api/auth/security-events'],
        ] as const) {
          const probe = await client.request(method, path);
          if (probe.status !== 401) escapes.push(`round ${round}: ${method} ${path} → ${probe.status}`);
        }
      }
      const after = await server.client().post('/api/auth/login', { email: owner.email, password: owner.password });
      expect(after.status).toBe(200);
      expect(after.body).toMatchObject({ requires_2fa: true, methods: ['passkey', 'backup_code'] });
    }
    expect(escapes).toEqual([]);
    expect(aal1Issued).toBeGreaterThan(0);
  }, RACE_TIMEOUT_MS);
});

describe('temp tokens die with the credential epoch', () => {
  it('a temp token obtained with the old password cannot complete sign-in after a password change, even with a valid code', async () => {
    const user = await createTwoFactorUser(server);
    const attacker = await startTwoFactorLogin(server, user.email, user.password);

    const owner = await startTwoFactorLogin(server, user.email, user.password);
    const signedIn = await owner.client.post('/api/auth/2fa/verify', { temp_token: owner.tempToken, code: totpNextStep(server, user.secret) });
    expect(signedIn.status).toBe(200);
    const changed = await owner.client.post('/api/auth/password', { current_password: user.password, new_password: NEW_PASSWORD });
    expect(changed.status).toBe(200);

    const verify = await attacker.client.post('/api/auth/2fa/verify', { temp_token: attacker.tempToken, code: totpNextStep(server, user.secret) });
    expect(verify.status).toBe(401);
    expect(verify.body.error_code).toBe('TEMP_TOKEN_INVALID');
    expect(attacker.client.cookies.has('proofgate_session')).toBe(false);
    // The code the attacker sent was not burnt: the owner can still use it.
    const again = await startTwoFactorLogin(server, user.email, NEW_PASSWORD);
    const ok = await again.client.post('/api/auth/2fa/verify', { temp_token: again.tempToken, code: totpNow(server, user.secret) });
    expect(ok.status).toBe(200);
  });

  it(`temp tokens issued while the password changes are all dead afterwards (${ROUNDS} rounds)`, async () => {
    const escapes: string[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      const user = await createTwoFactorUser(server);
      const owner = await startTwoFactorLogin(server, user.email, user.password);
      const ownerSignedIn = await owner.client.post('/api/auth/2fa/verify', { temp_token: owner.tempToken, code: totpNextStep(server, user.secret) });
      expect(ownerSignedIn.status).toBe(200);
      const logins = await streamLogins(user.email, user.password, async () => {
        const changed = await owner.client.post('/api/auth/password', { current_password: user.password, new_password: NEW_PASSWORD });
        expect(changed.status, changed.text).toBe(200);
      });
      expectOnlyCleanAnswers(logins);
      const code = totpNextStep(server, user.secret);
      for (const { client, response } of logins) {
        if (response.status !== 200) continue;
        expect(response.body.requires_2fa).toBe(true);
        const verify = await client.post('/api/auth/2fa/verify', { temp_token: response.body.temp_token, code });
        if (verify.status !== 401 || verify.body.error_code !== 'TEMP_TOKEN_INVALID') escapes.push(`round ${round}: verify → ${verify.status}`);
      }
    }
    expect(escapes).toEqual([]);
  }, RACE_TIMEOUT_MS);
});

describe('device cookies die with the credential epoch, and all of an email’s devices share one cap', () => {
  let limited: TestServer;
  beforeAll(async () => {
    limited = await startTestServer({
      env: {
        TRUST_PROXY: 'loopback',
        LOGIN_IP_EMAIL_MAX_FAILURES: '1000',
        LOGIN_EMAIL_MAX_FAILURES: '5',
        LOGIN_DEVICE_MAX_FAILURES: '3',
        LOGIN_EMAIL_DEVICES_MAX_FAILURES: '4',
        ...redisEnv,
      },
    });
  });
  afterAll(async () => {
    await limited?.close();
  });

  /** Browsers that each signed in once: each holds its own device cookie for the account. */
  async function collectDeviceCookies(email: string, password: string, count: number) {
    const browsers: HttpClient[] = [];
    for (let i = 0; i < count; i += 1) {
      const browser = limited.client();
      expect((await browser.post('/api/auth/login', { email, password }, { headers: clientIp(i) })).status).toBe(200);
      expect(browser.cookies.has('proofgate_device')).toBe(true);
      browser.cookies.delete('proofgate_session');
      browsers.push(browser);
    }
    return browsers;
  }

  /** Wrong passwords sent round-robin through the browsers, each from a new address, until one is refused. */
  async function wrongGuessesUntilRefused(email: string, browsers: HttpClient[], max: number) {
    for (let i = 0; i < max; i += 1) {
      const response = await browsers[i % browsers.length]!.post(
        '/api/auth/login',
        { email, password: `wrong guess number ${i}` },
        { headers: { 'x-forwarded-for': `198.51.100.${i + 1}` } },
      );
      if (response.status === 429) {
        expect(response.body.error_code).toBe('RATE_LIMITED');
        return i;
      }
      expect(response.status).toBe(401);
    }
    return max;
  }

  it('cookies collected with the old password buy no guesses beyond the per-email limit after a change', async () => {
    const owner = await registerAndLogin(limited, uniqueEmail('device-epoch'));
    const collected = await collectDeviceCookies(owner.email, owner.password, 3);
    const changed = await owner.client.post('/api/auth/password', { current_password: owner.password, new_password: NEW_PASSWORD });
    expect(changed.status).toBe(200);
    // Three stale cookies × 3 per device would be 9 guesses; the per-email limit allows 5.
    expect(await wrongGuessesUntilRefused(owner.email, collected, 20)).toBe(5);
  });

  it('valid cookies share one total per email: three devices × 3 guesses are capped at 4', async () => {
    const owner = await registerAndLogin(limited, uniqueEmail('device-total'));
    const browsers = await collectDeviceCookies(owner.email, owner.password, 3);
    expect(await wrongGuessesUntilRefused(owner.email, browsers, 20)).toBe(4);
  });

  it('a browser that signs in again keeps its device cookie instead of minting another', async () => {
    const owner = await registerAndLogin(limited, uniqueEmail('device-reuse'));
    const [browser] = await collectDeviceCookies(owner.email, owner.password, 1);
    const again = await browser!.post('/api/auth/login', { email: owner.email, password: owner.password });
    expect(again.status).toBe(200);
    expect(again.setCookies.some((line) => line.startsWith('proofgate_device='))).toBe(false);
  });
});

describe('signed in with the smallest idle timeout', () => {
  let idle: TestServer;
  beforeAll(async () => {
    idle = await startTestServer({ env: { SESSION_IDLE_SECONDS: '60', ...redisEnv } });
  });
  afterAll(async () => {
    await idle?.close();
  });

  it('an active session (a request every 10 s) never expires at SESSION_IDLE_SECONDS=60; 60 s of silence ends it', async () => {
    const { client } = await registerAndLogin(idle, uniqueEmail('idle-min'), STRONG_PASSWORD);
    for (let i = 0; i < 30; i += 1) {
      idle.clock.advanceSeconds(10);
      const me = await client.get('/api/auth/me');
      expect(me.status, `after ${(i + 1) * 10} s of activity`).toBe(200);
    }
    idle.clock.advanceSeconds(60);
    expect((await client.get('/api/auth/me')).status).toBe(401);
  });
});

describe('AAL2 everywhere once 2FA is on', () => {
  it('the owner who enables 2FA keeps an AAL2 session; a fresh password login of the account gets no session at all', async () => {
    const { client, email } = await registerAndLogin(server, uniqueEmail('aal2'));
    await enableTwoFactor(server, client);
    expect((await client.get('/api/auth/me')).body.session.aal).toBe(2);
    const passwordOnly = server.client();
    const login = await passwordOnly.post('/api/auth/login', { email, password: STRONG_PASSWORD });
    expect(login.body.requires_2fa).toBe(true);
    expect(passwordOnly.cookies.has('proofgate_session')).toBe(false);
  });
});
