import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerAndLogin, startTestServer, type TestServer } from '../support/test-server';
import { redisLimiterEnv } from '../support/login-race';
import { createTwoFactorUser, enableTwoFactor, startTwoFactorLogin, totpNextStep, totpNow } from '../support/two-factor';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ env: redisLimiterEnv() });
});
afterAll(async () => {
  await server?.close();
});

describe('stolen database dump', () => {
  it('holds the TOTP secret only as an AES-GCM envelope, and backup codes only as argon2id PHC hashes', async () => {
    const { client, userId } = await registerAndLogin(server);
    const { secret, backupCodes } = await enableTwoFactor(server, client);
    const [credential] = await server.proofgate.database.query<{ secret_ciphertext: string }>(
      'select * from two_factor_credentials where user_id = $1',
      [userId],
    );
    expect(credential!.secret_ciphertext).not.toBe(secret);
    expect(credential!.secret_ciphertext).not.toContain(secret);
    expect(credential!.secret_ciphertext.toUpperCase()).not.toContain(secret.slice(0, 12));
    expect(credential!.secret_ciphertext).toMatch(/^v1\.[0-9a-f]{16}\./);

    const codes = await server.proofgate.database.query<{ code_hash: string; selector: string }>(
      'select * from two_factor_backup_codes where user_id = $1',
      [userId],
    );
    expect(codes).toHaveLength(10);
    const dump = JSON.stringify(codes);
    for (const code of backupCodes) {
      expect(dump).not.toContain(code);
      expect(dump).not.toContain(code.replace(/-/g, ''));
    }
    for (const row of codes) {
      expect(row.code_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
      expect(row.selector).toMatch(/^[0-9a-z]{5}$/);
    }
  });

  it("a ciphertext copied into another user's row does not decrypt (associated data), and fails loudly", async () => {
    const alice = await createTwoFactorUser(server);
    const bob = await createTwoFactorUser(server);
    await server.proofgate.database.query(
      'update two_factor_credentials set secret_ciphertext = (select secret_ciphertext from two_factor_credentials where user_id = $1) where user_id = $2',
      [alice.userId, bob.userId],
    );
    const { client, tempToken } = await startTwoFactorLogin(server, bob.email);
    const response = await client.post('/api/auth/2fa/verify', { temp_token: tempToken, code: totpNextStep(server, alice.secret) });
    expect(response.status).toBe(503);
    expect(response.body.error_code).toBe('SECRET_DECRYPTION_FAILED');
    expect((await client.get('/api/auth/me')).status).toBe(401);
  });
});

describe('concurrent confirm (the better-auth race)', () => {
  it('parallel confirms enable 2FA exactly once, and the codes returned are the codes stored', async () => {
    const { client, email } = await registerAndLogin(server);
    const setup = await client.post('/api/auth/2fa/setup');
    const code = totpNow(server, setup.body.secret);
    const responses = await Promise.all(Array.from({ length: 8 }, () => client.post('/api/auth/2fa/confirm', { code })));
    const winners = responses.filter((r) => r.status === 200);
    expect(winners).toHaveLength(1);
    for (const loser of responses.filter((r) => r.status !== 200)) {
      expect(['TWO_FACTOR_ALREADY_ENABLED', 'UNAUTHENTICATED']).toContain(loser.body.error_code);
    }
    const codes = winners[0]!.body.backup_codes as string[];
    const { client: other, tempToken } = await startTwoFactorLogin(server, email);
    const usable = await other.post('/api/auth/2fa/verify', { temp_token: tempToken, backup_code: codes[9] });
    expect(usable.status).toBe(200);
  });

  it('a setup replaced between verify and enable cannot enable the stale secret', async () => {
    const { client } = await registerAndLogin(server);
    const first = await client.post('/api/auth/2fa/setup');
    const second = await client.post('/api/auth/2fa/setup');
    const staleCode = totpNow(server, first.body.secret);
    const stale = await client.post('/api/auth/2fa/confirm', { code: staleCode });
    expect(stale.body.error_code).toBe('INVALID_CODE');
    const ok = await client.post('/api/auth/2fa/confirm', { code: totpNow(server, second.body.secret) });
    expect(ok.status).toBe(200);
  });
});

describe('session theft around factor changes (ASVS 5.0 7.4.3)', () => {
  it('enabling 2FA revokes the other sessions and rotates the current token', async () => {
    const { client, email, password } = await registerAndLogin(server);
    const laptop = server.client();
    await laptop.post('/api/auth/login', { email, password });
    expect((await laptop.get('/api/auth/me')).status).toBe(200);
    const before = client.cookies.get('proofgate_session')!;
    await enableTwoFactor(server, client);
    expect((await laptop.get('/api/auth/me')).status).toBe(401);
    expect(client.cookies.get('proofgate_session')).not.toBe(before);
    expect((await server.client().get('/api/auth/me', { headers: { cookie: `proofgate_session=${before}` } })).status).toBe(401);
    expect((await client.get('/api/auth/me')).status).toBe(200);
  });

  it('disabling and regenerating revoke the other sessions too', async () => {
    const user = await createTwoFactorUser(server);
    const signIn = async () => {
      const { client, tempToken } = await startTwoFactorLogin(server, user.email);
      await client.post('/api/auth/2fa/verify', { temp_token: tempToken, code: totpNextStep(server, user.secret) });
      return client;
    };
    const phone = await signIn();
    const laptop = await signIn();
    const regenerated = await phone.post('/api/auth/2fa/backup-codes/regenerate', { code: totpNextStep(server, user.secret) });
    expect(regenerated.status).toBe(200);
    expect((await laptop.get('/api/auth/me')).status).toBe(401);
    const tablet = await signIn();
    const disabled = await phone.post('/api/auth/2fa/disable', { code: totpNextStep(server, user.secret) });
    expect(disabled.status).toBe(200);
    expect((await tablet.get('/api/auth/me')).status).toBe(401);
    expect((await phone.get('/api/auth/me')).status).toBe(200);
  });

  it('a password-only (AAL1) session of a 2FA account reaches no authenticated route: not 2FA, /me, password change or events', async () => {
    const user = await createTwoFactorUser(server);
    // Forge the situation the design rules out: an AAL1 session row for a 2FA-enabled user,
    // under the user's current credential epoch.
    const { createHash, randomBytes } = await import('node:crypto');
    const token = randomBytes(32).toString('base64url');
    const now = new Date(server.clock.nowMs());
    await server.proofgate.database.query(
      `insert into sessions (user_id, token_hash, aal, authenticated_at, last_seen_at, absolute_expires_at, credential_epoch)
       select id, $2, 1, $3, $3, $4, credential_epoch from users where id = $1`,
      [user.userId, createHash('sha256').update(token).digest('hex'), now, new Date(now.getTime() + 3600_000)],
    );
    const aal1 = server.client();
    aal1.cookies.set('proofgate_session', token);
    for (const [method, path, body] of [
      ['POST', '/api/auth/2fa/setup', undefined],
      ['GET', '/api/auth/2fa/status', undefined],
      ['POST', '/api/auth/2fa/disable', { code: totpNextStep(server, user.secret) }],
      ['POST', '/api/auth/2fa/backup-codes/regenerate', { code: totpNextStep(server, user.secret) }],
      ['GET', '/api/auth/me', undefined],
      ['POST', '/api/auth/password', { current_password: user.password, new_password: 'a brand new passphrase 42' }],
      ['POST', '/api/auth/reauthenticate', { password: user.password }],
      ['GET', '/api/auth/security-events', undefined],
      ['GET', '/api/system/status', undefined],
    ] as const) {
      const response = await aal1.request(method, path, body ? { json: body } : {});
      expect(response.status, `${method} ${path}`).toBe(403);
      expect(response.body.error_code).toBe('TWO_FACTOR_REQUIRED');
    }
    const stillEnabled = await server.proofgate.database.query('select 1 from two_factor_credentials where user_id = $1 and enabled_at is not null', [user.userId]);
    expect(stillEnabled).toHaveLength(1);
  });
});

describe('wrong encryption key', () => {
  it('a server started with another APP_ENC_KEY refuses loudly instead of silently dropping 2FA', async () => {
    const user = await createTwoFactorUser(server);
    const other = await startTestServer({
      database: server.database,
      clock: server.clock,
      env: { APP_ENC_KEY: Buffer.alloc(32, 9).toString('base64') },
    });
    try {
      const { client, tempToken, login } = await startTwoFactorLogin(other, user.email);
      expect(login.body.requires_2fa).toBe(true);
      const response = await client.post('/api/auth/2fa/verify', { temp_token: tempToken, code: totpNextStep(other, user.secret) });
      expect(response.status).toBe(503);
      expect(response.body.error_code).toBe('SECRET_DECRYPTION_FAILED');
      expect(other.logs.some((line) => line.includes('cannot be decrypted'))).toBe(true);
    } finally {
      await other.close();
    }
  });
});

describe('the second login step under concurrency', () => {
  it('one temp token and one valid code sent eight times at once: one session, one pair of audit rows', async () => {
    const user = await createTwoFactorUser(server);
    const { client, tempToken } = await startTwoFactorLogin(server, user.email);
    const code = totpNextStep(server, user.secret);
    const countSessions = async () =>
      (await server.proofgate.database.query('select 1 from sessions where user_id = $1 and aal = 2', [user.userId])).length;
    const before = await countSessions();
    const responses = await Promise.all(
      Array.from({ length: 8 }, () => client.fresh().post('/api/auth/2fa/verify', { temp_token: tempToken, code })),
    );
    const winners = responses.filter((r) => r.status === 200);
    expect(winners).toHaveLength(1);
    for (const loser of responses.filter((r) => r.status !== 200)) {
      expect(['CODE_ALREADY_USED', 'TEMP_TOKEN_INVALID']).toContain(loser.body.error_code);
    }
    expect(await countSessions()).toBe(before + 1);
    const events = await server.proofgate.database.query<{ type: string; request_id: string; ip: string; details: Record<string, unknown> }>(
      "select type, request_id, ip, details from security_events where user_id = $1 and request_id = any($2) and type in ('2fa.verify.succeeded', 'auth.login.succeeded') order by type",
      [user.userId, responses.map((r) => r.headers.get('x-request-id'))],
    );
    const winnerRequestId = winners[0]!.headers.get('x-request-id');
    expect(events).toEqual([
      { type: '2fa.verify.succeeded', request_id: winnerRequestId, ip: expect.any(String), details: { method: 'totp', via: 'login' } },
      { type: 'auth.login.succeeded', request_id: winnerRequestId, ip: expect.any(String), details: { aal: 2, method: 'totp' } },
    ]);
    expect((await client.fresh().post('/api/auth/2fa/verify', { temp_token: tempToken, code })).body.error_code).toBe('TEMP_TOKEN_INVALID');
  });
});
