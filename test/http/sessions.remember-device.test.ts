import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTotpCode } from '../../src/server/twofactor/totp';
import type { HttpClient } from '../support/http-client';
import { grantAdmin, registerAndLogin, startTestServer, STRONG_PASSWORD, type TestServer } from '../support/test-server';
import { createTwoFactorUser, startTwoFactorLogin, totpNextStep } from '../support/two-factor';

/**
 * "Remember this browser": opt-in at the second-factor step, skips only the second factor and
 * only for that browser and user, until TWO_FACTOR_REMEMBER_DAYS pass, the user forgets it, or
 * a password or factor change forgets every device.
 */

const REMEMBER = 'proofgate_remember';
const NEW_PASSWORD = 'a brand new passphrase 42';
const DAY = 24 * 3600;

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ env: { ADMIN_REQUIRE_2FA: 'true', SESSION_IDLE_SECONDS: String(30 * 24 * 3600), SESSION_ABSOLUTE_SECONDS: String(60 * 24 * 3600) } });
});
afterAll(async () => {
  await server?.close();
});

type TwoFactorUser = Awaited<ReturnType<typeof createTwoFactorUser>>;

/** Password + code with remember_device: true, in `client` (a browser). */
async function signInRemembering(user: TwoFactorUser, client: HttpClient = server.client(), password = user.password) {
  const { tempToken } = await startTwoFactorLogin(server, user.email, password, client);
  const verify = await client.post('/api/auth/2fa/verify', { temp_token: tempToken, code: totpNextStep(server, user.secret), remember_device: true });
  expect(verify.status, verify.text).toBe(200);
  return { client, verify };
}

/** Password + code without remembering: an AAL2 session in a browser of its own. */
async function signInWithCode(user: TwoFactorUser, password = user.password) {
  const { client, tempToken } = await startTwoFactorLogin(server, user.email, password);
  const verify = await client.post('/api/auth/2fa/verify', { temp_token: tempToken, code: totpNextStep(server, user.secret) });
  expect(verify.status, verify.text).toBe(200);
  return client;
}

/** Signs the browser out (its remembered-device cookie stays) and signs in with the password only. */
async function signInAgain(client: HttpClient, email: string, password: string) {
  await client.post('/api/auth/logout');
  return client.post('/api/auth/login', { email, password });
}

describe('remembering a browser', () => {
  it('sets an httpOnly, SameSite=Strict cookie whose token is stored only as its SHA-256', async () => {
    const user = await createTwoFactorUser(server);
    const { client, verify } = await signInRemembering(user);
    const cookie = verify.setCookies.find((c) => c.startsWith(`${REMEMBER}=`))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect(cookie).toMatch(new RegExp(`Max-Age=${30 * DAY}`));
    expect(Date.parse(verify.body.remembered_until)).toBe(server.clock.nowMs() + 30 * DAY * 1000);
    const token = client.cookies.get(REMEMBER)!;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const rows = await server.proofgate.database.query<Record<string, unknown>>('select * from remembered_devices where user_id = $1', [user.userId]);
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(token);
    expect(rows[0]!.token_hash).toBe(createHash('sha256').update(token).digest('hex'));
    expect(verify.text).not.toContain(token);
  });

  it('skips the second factor for that browser only: an AAL2 session marked as remembered', async () => {
    const user = await createTwoFactorUser(server);
    const { client } = await signInRemembering(user);

    const again = await signInAgain(client, user.email, user.password);
    expect(again.status, again.text).toBe(200);
    expect(again.body.requires_2fa).toBe(false);
    expect(again.body.session).toMatchObject({ aal: 2, second_factor_remembered: true });
    expect((await client.get('/api/auth/me')).status).toBe(200);
    expect((await client.get('/api/auth/2fa/status')).status).toBe(200);

    const otherBrowser = await server.client().post('/api/auth/login', { email: user.email, password: user.password });
    expect(otherBrowser.body.requires_2fa).toBe(true);
    expect(otherBrowser.body.remember_device_days).toBe(30);

    const events = (await client.get('/api/auth/security-events')).body.events as Array<{ type: string; details: Record<string, unknown> }>;
    expect(events.find((e) => e.type === 'sessions.device_remembered')).toMatchObject({ details: { days: 30 } });
    expect(events.find((e) => e.type === 'auth.login.succeeded' && e.details.method === 'remembered_device')).toMatchObject({ details: { aal: 2 } });
  });

  it('skips it only for the user it was remembered for', async () => {
    const alice = await createTwoFactorUser(server);
    const bob = await createTwoFactorUser(server);
    const { client } = await signInRemembering(alice);
    const asBob = await signInAgain(client, bob.email, bob.password);
    expect(asBob.status).toBe(200);
    expect(asBob.body.requires_2fa).toBe(true);
  });

  it('still checks the password', async () => {
    const user = await createTwoFactorUser(server);
    const { client } = await signInRemembering(user);
    const wrong = await signInAgain(client, user.email, 'not the password at all');
    expect(wrong.status).toBe(401);
    expect(wrong.body.error_code).toBe('INVALID_CREDENTIALS');
    expect(client.cookies.has('proofgate_session')).toBe(false);
  });

  it('is not remembered without remember_device: true', async () => {
    const user = await createTwoFactorUser(server);
    const { client, tempToken } = await startTwoFactorLogin(server, user.email);
    const verify = await client.post('/api/auth/2fa/verify', { temp_token: tempToken, code: totpNextStep(server, user.secret) });
    expect(verify.body.remembered_until).toBeNull();
    expect(client.cookies.has(REMEMBER)).toBe(false);
    expect((await signInAgain(client, user.email, user.password)).body.requires_2fa).toBe(true);
  });

  it('expires after TWO_FACTOR_REMEMBER_DAYS (fake clock)', async () => {
    const user = await createTwoFactorUser(server);
    const { client } = await signInRemembering(user);
    server.clock.advanceSeconds(30 * DAY - 60);
    expect((await signInAgain(client, user.email, user.password)).body.requires_2fa).toBe(false);
    server.clock.advanceSeconds(61);
    expect((await signInAgain(client, user.email, user.password)).body.requires_2fa).toBe(true);
  });
});

describe('forgetting remembered browsers', () => {
  it('a password change forgets every remembered browser', async () => {
    const user = await createTwoFactorUser(server);
    const { client: remembered } = await signInRemembering(user);
    const owner = await signInWithCode(user);
    const changed = await owner.post('/api/auth/password', { current_password: user.password, new_password: NEW_PASSWORD });
    expect(changed.status, changed.text).toBe(200);
    expect((await owner.get('/api/auth/sessions')).body.remembered_devices).toEqual([]);
    expect((await signInAgain(remembered, user.email, NEW_PASSWORD)).body.requires_2fa).toBe(true);
  });

  it('regenerating backup codes forgets every remembered browser', async () => {
    const user = await createTwoFactorUser(server);
    const { client: remembered } = await signInRemembering(user);
    const owner = await signInWithCode(user);
    const regenerated = await owner.post('/api/auth/2fa/backup-codes/regenerate', { code: totpNextStep(server, user.secret) });
    expect(regenerated.status, regenerated.text).toBe(200);
    expect((await signInAgain(remembered, user.email, user.password)).body.requires_2fa).toBe(true);
  });

  it('turning 2FA off and on again forgets every remembered browser', async () => {
    const user = await createTwoFactorUser(server);
    const { client: remembered } = await signInRemembering(user);
    const owner = await signInWithCode(user);
    const disabled = await owner.post('/api/auth/2fa/disable', { code: totpNextStep(server, user.secret) });
    expect(disabled.status, disabled.text).toBe(200);
    const setup = await owner.post('/api/auth/2fa/setup');
    const secret = setup.body.secret as string;
    const confirmed = await owner.post('/api/auth/2fa/confirm', { code: totpNextStep(server, secret) });
    expect(confirmed.status, confirmed.text).toBe(200);
    expect((await signInAgain(remembered, user.email, user.password)).body.requires_2fa).toBe(true);
  });

  it('is listed with the sessions; forgetting it makes that browser type a code again', async () => {
    const user = await createTwoFactorUser(server);
    const { client: remembered } = await signInRemembering(user);
    const owner = await signInWithCode(user);
    const listed = (await owner.get('/api/auth/sessions')).body.remembered_devices as Array<{ id: string; current: boolean }>;
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ current: false, device: 'Node.js' });
    expect((await remembered.get('/api/auth/sessions')).body.remembered_devices[0]).toMatchObject({ id: listed[0]!.id, current: true });

    const mallory = await createTwoFactorUser(server);
    const malloryClient = await signInWithCode(mallory);
    const foreign = await malloryClient.request('DELETE', `/api/auth/remembered-devices/${listed[0]!.id}`);
    expect(foreign.status).toBe(404);
    expect(foreign.body.error_code).toBe('NOT_FOUND');

    const forgotten = await owner.request('DELETE', `/api/auth/remembered-devices/${listed[0]!.id}`);
    expect(forgotten.status, forgotten.text).toBe(204);
    expect((await signInAgain(remembered, user.email, user.password)).body.requires_2fa).toBe(true);
    const events = (await owner.get('/api/auth/security-events')).body.events as Array<{ type: string }>;
    expect(events.map((e) => e.type)).toContain('sessions.remembered_device_revoked');
  });

  it('"sign out everywhere else" forgets the other remembered browsers but keeps this one', async () => {
    const user = await createTwoFactorUser(server);
    const { client: other } = await signInRemembering(user);
    const { client: mine } = await signInRemembering(user);
    const response = await mine.post('/api/auth/sessions/revoke-others');
    expect(response.body).toEqual({ sessions_revoked: 1, remembered_devices_forgotten: 1 });
    expect((await other.get('/api/auth/me')).status).toBe(401);
    expect((await signInAgain(other, user.email, user.password)).body.requires_2fa).toBe(true);
    expect((await signInAgain(mine, user.email, user.password)).body.requires_2fa).toBe(false);
  });
});

describe('admins under ADMIN_REQUIRE_2FA', () => {
  it('a remembered browser is not honoured for an admin at sign-in', async () => {
    const admin = await createTwoFactorUser(server);
    await grantAdmin(server, admin.email);
    const { client } = await signInRemembering(admin);
    expect((await signInAgain(client, admin.email, admin.password)).body.requires_2fa).toBe(true);
  });

  it('a session that skipped the code through a remembered browser reaches no admin route', async () => {
    const user = await createTwoFactorUser(server);
    const { client } = await signInRemembering(user);
    const remembered = await signInAgain(client, user.email, user.password);
    expect(remembered.body.session.second_factor_remembered).toBe(true);
    await grantAdmin(server, user.email);
    const admin = await client.get('/api/system/status');
    expect(admin.status).toBe(403);
    expect(admin.body.error_code).toBe('TWO_FACTOR_REQUIRED');
    // The same account with a code typed at sign-in is let in.
    expect((await (await signInWithCode(user)).get('/api/system/status')).status).toBe(200);
  });
});

describe('TWO_FACTOR_REMEMBER_DAYS=0', () => {
  it('turns the feature off: nothing is remembered and the login offers no days', async () => {
    const off = await startTestServer({ env: { TWO_FACTOR_REMEMBER_DAYS: '0' } });
    try {
      const { client, email } = await registerAndLogin(off);
      const setup = await client.post('/api/auth/2fa/setup');
      const secret = setup.body.secret as string;
      expect((await client.post('/api/auth/2fa/confirm', { code: generateTotpCode(secret, off.clock.nowMs()) })).status).toBe(200);
      await client.post('/api/auth/logout');
      const login = await client.post('/api/auth/login', { email, password: STRONG_PASSWORD });
      expect(login.body.remember_device_days).toBe(0);
      off.clock.advanceSeconds(30);
      const verify = await client.post('/api/auth/2fa/verify', {
        temp_token: login.body.temp_token,
        code: generateTotpCode(secret, off.clock.nowMs()),
        remember_device: true,
      });
      expect(verify.status, verify.text).toBe(200);
      expect(verify.body.remembered_until).toBeNull();
      expect(client.cookies.has(REMEMBER)).toBe(false);
      expect((await signInAgain(client, email, STRONG_PASSWORD)).body.requires_2fa).toBe(true);
      expect((await off.proofgate.database.query('select id from remembered_devices')).length).toBe(0);
    } finally {
      await off.close();
    }
  });
});
