import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerAndLogin, startTestServer, type TestServer } from '../support/test-server';
import { redisLimiterEnv } from '../support/login-race';
import { createTwoFactorUser, enableTwoFactor, startTwoFactorLogin, totpNextStep, totpNow } from '../support/two-factor';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ env: { TWO_FACTOR_TEMP_TOKEN_TTL: '120', ...redisLimiterEnv() } });
});
afterAll(async () => {
  await server?.close();
});

describe('the seed flow, end to end over HTTP', () => {
  it('register → login → setup → confirm → logout → login (requires_2fa) → verify → status → disable', async () => {
    const { client, email, password } = await registerAndLogin(server);

    const setup = await client.post('/api/auth/2fa/setup');
    expect(setup.status).toBe(200);
    const url = new URL(setup.body.otpauth_url);
    expect(url.protocol).toBe('otpauth:');
    expect(url.searchParams.get('issuer')).toBe('Proofgate');
    expect(url.searchParams.get('algorithm')).toBe('SHA1');
    expect(url.searchParams.get('digits')).toBe('6');
    expect(url.searchParams.get('period')).toBe('30');
    expect(decodeURIComponent(url.pathname)).toBe(`/Proofgate:${email}`);
    expect(setup.body.qr_data_url).toMatch(/^data:image\/png;base64,[A-Za-z0-9+/]+=*$/);
    expect(setup.body.secret).toMatch(/^[A-Z2-7]{32}$/);
    const secret = setup.body.secret as string;

    const pending = await client.get('/api/auth/2fa/status');
    expect(pending.body).toMatchObject({ enabled: false, pending_setup: true, backup_codes_remaining: 0 });

    const sessionBefore = client.cookies.get('proofgate_session');
    const confirm = await client.post('/api/auth/2fa/confirm', { code: totpNow(server, secret) });
    expect(confirm.status).toBe(200);
    expect(confirm.body.enabled).toBe(true);
    expect(confirm.body.backup_codes).toHaveLength(10);
    expect(new Set(confirm.body.backup_codes).size).toBe(10);
    expect(confirm.body.session.aal).toBe(2);
    expect(client.cookies.get('proofgate_session')).not.toBe(sessionBefore);
    const backupCodes = confirm.body.backup_codes as string[];

    const again = await client.post('/api/auth/2fa/confirm', { code: totpNextStep(server, secret) });
    expect(again.status).toBe(409);
    expect(again.body.error_code).toBe('TWO_FACTOR_ALREADY_ENABLED');

    expect((await client.post('/api/auth/logout')).status).toBe(204);

    const login = await client.post('/api/auth/login', { email, password });
    expect(login.status).toBe(200);
    expect(login.body.requires_2fa).toBe(true);
    expect(login.body.temp_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(login.body.expires_in).toBe(120);
    expect(login.setCookies).toHaveLength(0);
    expect((await client.get('/api/auth/me')).status).toBe(401);

    const verify = await client.post('/api/auth/2fa/verify', { temp_token: login.body.temp_token, code: totpNextStep(server, secret) });
    expect(verify.status).toBe(200);
    expect(verify.body.session.aal).toBe(2);
    expect(verify.setCookies.some((c) => c.startsWith('proofgate_session='))).toBe(true);

    const me = await client.get('/api/auth/me');
    expect(me.status).toBe(200);
    expect(me.body.session.aal).toBe(2);

    const status = await client.get('/api/auth/2fa/status');
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({ enabled: true, backup_codes_remaining: 10, pending_setup: false });
    expect(typeof status.body.enabled_at).toBe('string');
    expect(typeof status.body.last_used_at).toBe('string');
    expect(JSON.stringify(status.body)).not.toContain(secret);
    for (const code of backupCodes) expect(JSON.stringify(status.body)).not.toContain(code);

    const disable = await client.post('/api/auth/2fa/disable', { code: totpNextStep(server, secret) });
    expect(disable.status).toBe(200);
    expect(disable.body.enabled).toBe(false);
    const after = await client.get('/api/auth/2fa/status');
    expect(after.body).toMatchObject({ enabled: false, backup_codes_remaining: 0, pending_setup: false });

    const plainLogin = await server.client().post('/api/auth/login', { email, password });
    expect(plainLogin.body.requires_2fa).toBe(false);
  });
});

describe('second login step', () => {
  it('a backup code signs in once; reused it fails like a wrong code', async () => {
    const user = await createTwoFactorUser(server);
    const first = await startTwoFactorLogin(server, user.email);
    const code = user.backupCodes[3]!;
    const ok = await first.client.post('/api/auth/2fa/verify', { temp_token: first.tempToken, backup_code: code.toUpperCase() });
    expect(ok.status).toBe(200);
    expect((await first.client.get('/api/auth/2fa/status')).body.backup_codes_remaining).toBe(9);

    const second = await startTwoFactorLogin(server, user.email);
    const reused = await second.client.post('/api/auth/2fa/verify', { temp_token: second.tempToken, backup_code: code });
    expect(reused.status).toBe(400);
    expect(reused.body.error_code).toBe('INVALID_CODE');
    const wrong = await second.client.post('/api/auth/2fa/verify', { temp_token: second.tempToken, backup_code: 'aaaaa-bbbbb-ccccc' });
    expect(wrong.body.error_code).toBe('INVALID_CODE');
    // Both count one try down; apart from that (and the request id) they are the same answer.
    expect(reused.body.attempts_remaining - wrong.body.attempts_remaining).toBe(1);
    const strip = (b: Record<string, unknown>) => ({ ...b, request_id: undefined, attempts_remaining: undefined });
    expect(strip(reused.body)).toEqual(strip(wrong.body));
  });

  it('a wrong TOTP code → INVALID_CODE; a replayed code → CODE_ALREADY_USED', async () => {
    const user = await createTwoFactorUser(server);
    const { client, tempToken } = await startTwoFactorLogin(server, user.email);
    const code = totpNextStep(server, user.secret);
    const wrong = await client.post('/api/auth/2fa/verify', { temp_token: tempToken, code: code === '000000' ? '111111' : '000000' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error_code).toBe('INVALID_CODE');
    const ok = await client.post('/api/auth/2fa/verify', { temp_token: tempToken, code });
    expect(ok.status).toBe(200);

    const next = await startTwoFactorLogin(server, user.email);
    const replay = await next.client.post('/api/auth/2fa/verify', { temp_token: next.tempToken, code });
    expect(replay.status).toBe(400);
    expect(replay.body.error_code).toBe('CODE_ALREADY_USED');
    // The replay is recorded where the account holder can see it (recent security activity).
    const events = await server.proofgate.database.query<{ details: Record<string, unknown> }>(
      "select details from security_events where user_id = $1 and type = '2fa.verify.failed'",
      [user.userId],
    );
    expect(events.map((e) => e.details.reason)).toContain('replayed');
  });

  it('the code used to confirm setup cannot be replayed at login', async () => {
    const { client, email } = await registerAndLogin(server);
    const setup = await client.post('/api/auth/2fa/setup');
    const code = totpNow(server, setup.body.secret);
    expect((await client.post('/api/auth/2fa/confirm', { code })).status).toBe(200);
    const { client: other, tempToken } = await startTwoFactorLogin(server, email);
    const replay = await other.post('/api/auth/2fa/verify', { temp_token: tempToken, code });
    expect(replay.body.error_code).toBe('CODE_ALREADY_USED');
  });

  it('a temp token expires after its TTL (fake clock): TEMP_TOKEN_EXPIRED', async () => {
    const user = await createTwoFactorUser(server);
    const { client, tempToken } = await startTwoFactorLogin(server, user.email);
    server.clock.advanceSeconds(121);
    const expired = await client.post('/api/auth/2fa/verify', { temp_token: tempToken, code: totpNow(server, user.secret) });
    expect(expired.status).toBe(401);
    expect(expired.body.error_code).toBe('TEMP_TOKEN_EXPIRED');
  });

  it('a temp token is single use, and unknown or malformed tokens are TEMP_TOKEN_INVALID', async () => {
    const user = await createTwoFactorUser(server);
    const { client, tempToken } = await startTwoFactorLogin(server, user.email);
    expect((await client.post('/api/auth/2fa/verify', { temp_token: tempToken, code: totpNextStep(server, user.secret) })).status).toBe(200);
    const reuse = await server.client().post('/api/auth/2fa/verify', { temp_token: tempToken, code: totpNextStep(server, user.secret) });
    expect(reuse.status).toBe(401);
    expect(reuse.body.error_code).toBe('TEMP_TOKEN_INVALID');
    for (const token of ['x'.repeat(43), 'short', tempToken.slice(0, -1) + (tempToken.endsWith('A') ? 'B' : 'A')]) {
      const bad = await server.client().post('/api/auth/2fa/verify', { temp_token: token, code: '123456' });
      expect(bad.body.error_code).toBe('TEMP_TOKEN_INVALID');
    }
  });

  it("another user's temp token does not accept this user's code", async () => {
    const alice = await createTwoFactorUser(server);
    const bob = await createTwoFactorUser(server);
    const { client, tempToken } = await startTwoFactorLogin(server, alice.email);
    const crossed = await client.post('/api/auth/2fa/verify', { temp_token: tempToken, code: totpNextStep(server, bob.secret) });
    expect(crossed.status).toBe(400);
    expect(crossed.body.error_code).toBe('INVALID_CODE');
    expect((await client.get('/api/auth/me')).status).toBe(401);
  });

  it('five wrong codes kill the temp token: the sixth attempt, even correct, is TEMP_TOKEN_INVALID', async () => {
    const user = await createTwoFactorUser(server);
    const { client, tempToken } = await startTwoFactorLogin(server, user.email);
    const right = totpNextStep(server, user.secret);
    const wrongCode = right === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i += 1) {
      const wrong = await client.post('/api/auth/2fa/verify', { temp_token: tempToken, code: wrongCode });
      expect(wrong.body.error_code).toBe('INVALID_CODE');
    }
    const sixth = await client.post('/api/auth/2fa/verify', { temp_token: tempToken, code: right });
    expect(sixth.status).toBe(401);
    expect(sixth.body.error_code).toBe('TEMP_TOKEN_INVALID');
  });
});

describe('sessions and freshness', () => {
  it('setup, confirm, status and disable refuse anonymous callers', async () => {
    const anonymous = server.client();
    for (const [method, path, body] of [
      ['POST', '/api/auth/2fa/setup', undefined],
      ['POST', '/api/auth/2fa/confirm', { code: '123456' }],
      ['GET', '/api/auth/2fa/status', undefined],
      ['POST', '/api/auth/2fa/disable', { code: '123456' }],
      ['POST', '/api/auth/2fa/backup-codes/regenerate', { code: '123456' }],
    ] as const) {
      const response = await anonymous.request(method, path, body ? { json: body } : {});
      expect(response.status, `${method} ${path}`).toBe(401);
      expect(response.body.error_code).toBe('UNAUTHENTICATED');
    }
  });

  it('disable on a stale session → SESSION_NOT_FRESH with the way back; after reauthenticate it works', async () => {
    const { client, password } = await registerAndLogin(server);
    const { secret } = await enableTwoFactor(server, client);
    server.clock.advanceSeconds(601);
    const stale = await client.post('/api/auth/2fa/disable', { code: totpNextStep(server, secret) });
    expect(stale.status).toBe(403);
    expect(stale.body.error_code).toBe('SESSION_NOT_FRESH');
    expect(stale.body.reauthenticate.href).toBe('/api/auth/reauthenticate');
    expect((await client.post('/api/auth/reauthenticate', { password })).status).toBe(200);
    const ok = await client.post('/api/auth/2fa/disable', { code: totpNextStep(server, secret) });
    expect(ok.status).toBe(200);
  });

  it('disable with a backup code works too', async () => {
    const { client, userId } = await registerAndLogin(server);
    const { backupCodes } = await enableTwoFactor(server, client);
    const response = await client.post('/api/auth/2fa/disable', { backup_code: backupCodes[0] });
    expect(response.status).toBe(200);
    const codes = await server.proofgate.database.query('select 1 from two_factor_backup_codes where user_id = $1', [userId]);
    const credentials = await server.proofgate.database.query('select 1 from two_factor_credentials where user_id = $1', [userId]);
    expect(codes).toHaveLength(0);
    expect(credentials).toHaveLength(0);
  });

  it('regenerate replaces all codes, returns the new ones once, and the old ones stop working (BACKUP_CODE_REPLACED)', async () => {
    const { client, email } = await registerAndLogin(server);
    const { secret, backupCodes } = await enableTwoFactor(server, client);
    const regenerated = await client.post('/api/auth/2fa/backup-codes/regenerate', { code: totpNextStep(server, secret) });
    expect(regenerated.status).toBe(200);
    expect(regenerated.body.backup_codes).toHaveLength(10);
    expect(regenerated.body.backup_codes).not.toContain(backupCodes[0]);
    const { client: other, tempToken } = await startTwoFactorLogin(server, email);
    const old = await other.post('/api/auth/2fa/verify', { temp_token: tempToken, backup_code: backupCodes[0] });
    expect(old.status).toBe(400);
    expect(old.body.error_code).toBe('BACKUP_CODE_REPLACED');
    const fresh = await other.post('/api/auth/2fa/verify', { temp_token: tempToken, backup_code: regenerated.body.backup_codes[0] });
    expect(fresh.status).toBe(200);
  });

  it('confirm without setup → TWO_FACTOR_SETUP_REQUIRED; setup when enabled → TWO_FACTOR_ALREADY_ENABLED', async () => {
    const { client } = await registerAndLogin(server);
    const noSetup = await client.post('/api/auth/2fa/confirm', { code: '123456' });
    expect(noSetup.status).toBe(409);
    expect(noSetup.body.error_code).toBe('TWO_FACTOR_SETUP_REQUIRED');
    await enableTwoFactor(server, client);
    const setupAgain = await client.post('/api/auth/2fa/setup');
    expect(setupAgain.status).toBe(409);
    expect(setupAgain.body.error_code).toBe('TWO_FACTOR_ALREADY_ENABLED');
  });

  it('status counts only this user\'s unused backup codes, whoever else has 2FA', async () => {
    const alice = await registerAndLogin(server);
    const bob = await registerAndLogin(server);
    const aliceCodes = (await enableTwoFactor(server, alice.client)).backupCodes;
    await enableTwoFactor(server, bob.client);
    const { client, tempToken } = await startTwoFactorLogin(server, alice.email);
    expect((await client.post('/api/auth/2fa/verify', { temp_token: tempToken, backup_code: aliceCodes[0] })).status).toBe(200);
    expect((await client.get('/api/auth/2fa/status')).body.backup_codes_remaining).toBe(9);
    expect((await bob.client.get('/api/auth/2fa/status')).body.backup_codes_remaining).toBe(10);
  });

  it('security events show setup, enable, second-factor sign-in and disable without secrets', async () => {
    const user = await createTwoFactorUser(server);
    const { client, tempToken } = await startTwoFactorLogin(server, user.email);
    await client.post('/api/auth/2fa/verify', { temp_token: tempToken, code: totpNextStep(server, user.secret) });
    const events = await client.get('/api/auth/security-events');
    const types = events.body.events.map((e: { type: string }) => e.type);
    expect(types).toEqual(expect.arrayContaining(['2fa.setup_started', '2fa.enabled', '2fa.verify.succeeded', 'auth.login.succeeded']));
    const dump = JSON.stringify(events.body);
    expect(dump).not.toContain(user.secret);
    expect(dump).not.toContain(tempToken);
    for (const code of user.backupCodes) expect(dump).not.toContain(code);
  });
});
