import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { passkeyCredentials } from '../../src/server/db/schema';
import { eq } from 'drizzle-orm';
import { registerAndLogin, startTestServer, type TestServer } from '../support/test-server';
import { enableTwoFactor, totpNow } from '../support/two-factor';
import { addPasskey, createPasskeyUser, newAuthenticator, passwordlessOptions, startPasskeyLogin } from '../support/passkeys';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ env: { TWO_FACTOR_TEMP_TOKEN_TTL: '120' } });
});
afterAll(async () => {
  await server?.close();
});

async function eventTypes(client: ReturnType<TestServer['client']>) {
  const events = await client.get('/api/auth/security-events?limit=50');
  expect(events.status).toBe(200);
  return (events.body.events as Array<{ type: string; details: Record<string, unknown> }>);
}

describe('adding a passkey', () => {
  it('answers creation options by the contract and turns two-factor on with backup codes, once', async () => {
    const { client, email, userId } = await registerAndLogin(server);
    const options = await client.post('/api/auth/passkeys/registration/options');
    expect(options.status).toBe(200);
    expect(options.body.rp).toEqual({ name: 'Proofgate', id: 'localhost' });
    expect(options.body.attestation).toBe('none');
    expect(options.body.authenticatorSelection).toMatchObject({ residentKey: 'preferred', userVerification: 'preferred' });
    expect(options.body.excludeCredentials).toEqual([]);
    expect(options.body.timeout).toBe(120_000);
    // 256-bit challenge (ASVS 5.0 6.7.2: at least 64).
    expect(Buffer.from(options.body.challenge, 'base64url')).toHaveLength(32);
    // The user handle is random: neither the email nor the user id.
    const handle = Buffer.from(options.body.user.id, 'base64url');
    expect(handle).toHaveLength(32);
    expect(handle.toString('utf8')).not.toContain(email);
    expect(options.body.user.id).not.toBe(Buffer.from(userId).toString('base64url'));

    const authenticator = newAuthenticator(server);
    const before = client.cookies.get('proofgate_session');
    const other = client.fresh();
    other.cookies.set('proofgate_session', before!);
    const verify = await client.post('/api/auth/passkeys/registration/verify', { response: authenticator.create(options.body), name: 'Laptop' });
    expect(verify.status).toBe(200);
    expect(verify.body).toMatchObject({ name: 'Laptop', session: { aal: 2 } });
    expect(verify.body.backup_codes).toHaveLength(10);
    expect(client.cookies.get('proofgate_session')).not.toBe(before);
    // The credential epoch moved: the old cookie is dead.
    expect((await other.get('/api/auth/me')).status).toBe(401);

    const list = await client.get('/api/auth/passkeys');
    expect(list.status).toBe(200);
    expect(list.body.passkeys).toEqual([
      { id: verify.body.id, name: 'Laptop', created_at: verify.body.created_at, last_used_at: null, backed_up: false, transports: ['internal'] },
    ]);

    // A second passkey: the first is excluded, and no new backup codes.
    const second = await addPasskey(client, newAuthenticator(server, { backupEligible: true }));
    expect(second.options.excludeCredentials).toEqual([{ id: authenticator.credentials[0]!.id.toString('base64url'), transports: ['internal'], type: 'public-key' }]);
    expect(second.verify.backup_codes).toBeUndefined();
    expect(second.verify.name).toBe('Passkey 2');
    const listed = (await client.get('/api/auth/passkeys')).body.passkeys;
    expect(listed.map((p: { backed_up: boolean }) => p.backed_up)).toEqual([false, true]);

    // The stored row holds the public key as-is and the random handle, nothing secret.
    const rows = await server.proofgate.database.db.select().from(passkeyCredentials).where(eq(passkeyCredentials.userId, userId));
    expect(rows).toHaveLength(2);
    expect(rows[0]!.userHandle).toBe(options.body.user.id);
    expect(rows[1]!.userHandle).toBe(options.body.user.id);

    const types = (await eventTypes(client)).map((e) => e.type);
    expect(types).toContain('passkeys.registered');
    expect(types).toContain('2fa.enabled');
  });

  it('refuses a registration challenge from another session, a replayed one, and an expired one', async () => {
    const a = await registerAndLogin(server);
    const b = await registerAndLogin(server);
    const authenticator = newAuthenticator(server);
    const options = await a.client.post('/api/auth/passkeys/registration/options');
    const response = authenticator.create(options.body);
    const stolen = await b.client.post('/api/auth/passkeys/registration/verify', { response });
    expect(stolen.status).toBe(400);
    expect(stolen.body.error_code).toBe('PASSKEY_CHALLENGE_INVALID');
    // Another session of the same user is another session too.
    const second = await a.client.fresh().post('/api/auth/login', { email: a.email, password: a.password });
    expect(second.status).toBe(200);

    const ok = await a.client.post('/api/auth/passkeys/registration/verify', { response });
    expect(ok.status).toBe(200);
    const replay = await a.client.post('/api/auth/passkeys/registration/verify', { response });
    expect(replay.status).toBe(400);
    expect(replay.body.error_code).toBe('PASSKEY_CHALLENGE_INVALID');

    const c = await registerAndLogin(server);
    const late = await c.client.post('/api/auth/passkeys/registration/options');
    server.clock.advanceMs(121_000);
    const expired = await c.client.post('/api/auth/passkeys/registration/verify', { response: newAuthenticator(server).create(late.body) });
    expect(expired.status).toBe(400);
    expect(expired.body.error_code).toBe('PASSKEY_CHALLENGE_EXPIRED');
  });

  it('refuses a response for another origin or another RP ID', async () => {
    const { client } = await registerAndLogin(server);
    const authenticator = newAuthenticator(server);
    for (const overrides of [{ origin: 'https://evil.example' }, { rpId: 'evil.example' }, { type: 'webauthn.get' }]) {
      const options = await client.post('/api/auth/passkeys/registration/options');
      const refused = await client.post('/api/auth/passkeys/registration/verify', { response: authenticator.create(options.body, overrides) });
      expect(refused.status).toBe(400);
      expect(refused.body.error_code).toBe('PASSKEY_VERIFICATION_FAILED');
    }
    expect((await client.get('/api/auth/passkeys')).body.passkeys).toEqual([]);
  });

  it('needs a fresh session', async () => {
    const { client } = await registerAndLogin(server);
    server.clock.advanceMs(601_000);
    const options = await client.post('/api/auth/passkeys/registration/options');
    expect(options.status).toBe(403);
    expect(options.body.error_code).toBe('SESSION_NOT_FRESH');
  });
});

describe('signing in with a passkey', () => {
  it('as the second factor: methods listed, options for the temp token, AAL2 session', async () => {
    const user = await createPasskeyUser(server);
    const { client, tempToken, login, options } = await startPasskeyLogin(server, user.email);
    expect(login.methods).toEqual(['passkey', 'backup_code']);
    expect(options.rpId).toBe('localhost');
    expect(options.allowCredentials).toHaveLength(1);
    const verify = await client.post('/api/auth/passkeys/authentication/verify', { temp_token: tempToken, response: user.authenticator.get(options) });
    expect(verify.status).toBe(200);
    expect(verify.body.session.aal).toBe(2);
    const me = await client.get('/api/auth/me');
    expect(me.status).toBe(200);
    expect(me.body.session.aal).toBe(2);
    const listed = (await client.get('/api/auth/passkeys')).body.passkeys;
    expect(listed[0].last_used_at).not.toBeNull();
    // The temp token is spent.
    const again = await client.post('/api/auth/passkeys/authentication/verify', { temp_token: tempToken, response: user.authenticator.get(options) });
    expect(again.body.error_code).toBe('TEMP_TOKEN_INVALID');
  });

  it('lists totp, passkey and backup_code for an account with both factors; a backup code still works for a passkey-only one', async () => {
    const { client, email } = await registerAndLogin(server);
    const { secret } = await enableTwoFactor(server, client);
    await addPasskey(client, newAuthenticator(server));
    const login = await server.client().post('/api/auth/login', { email, password: 'violet-anchor-drifts-31' });
    expect(login.body.methods).toEqual(['totp', 'passkey', 'backup_code']);
    server.clock.advanceMs(31_000);
    const totp = await server.client().post('/api/auth/2fa/verify', { temp_token: login.body.temp_token, code: totpNow(server, secret) });
    expect(totp.status).toBe(200);

    const passkeyOnly = await createPasskeyUser(server);
    const start = await server.client().post('/api/auth/login', { email: passkeyOnly.email, password: passkeyOnly.password });
    const backup = await server.client().post('/api/auth/2fa/verify', { temp_token: start.body.temp_token, backup_code: passkeyOnly.backupCodes[0] });
    expect(backup.status).toBe(200);
    expect(backup.body.session.aal).toBe(2);
  });

  it('refuses a passkey challenge issued to another sign-in', async () => {
    const user = await createPasskeyUser(server);
    const first = await startPasskeyLogin(server, user.email);
    const second = await startPasskeyLogin(server, user.email);
    const crossed = await second.client.post('/api/auth/passkeys/authentication/verify', { temp_token: second.tempToken, response: user.authenticator.get(first.options) });
    expect(crossed.status).toBe(400);
    expect(crossed.body.error_code).toBe('PASSKEY_CHALLENGE_INVALID');
  });

  it('refuses a wrong origin and a wrong RP ID, and another user\'s passkey', async () => {
    const user = await createPasskeyUser(server);
    const other = await createPasskeyUser(server);
    for (const [overrides, authenticator] of [
      [{ origin: 'https://evil.example' }, user.authenticator],
      [{ rpId: 'evil.example' }, user.authenticator],
      [{}, other.authenticator],
    ] as const) {
      const { client, tempToken, options } = await startPasskeyLogin(server, user.email);
      const response = authenticator.get({ ...options, allowCredentials: [] }, overrides);
      const refused = await client.post('/api/auth/passkeys/authentication/verify', { temp_token: tempToken, response });
      expect(refused.status).toBe(400);
      expect(refused.body.error_code).toBe('PASSKEY_VERIFICATION_FAILED');
      expect(client.cookies.get('proofgate_session')).toBeUndefined();
    }
  });

  it('passwordless: a discoverable credential with user verification opens an AAL2 session; the challenge is single-use', async () => {
    const user = await createPasskeyUser(server);
    const client = server.client();
    const options = await passwordlessOptions(client);
    expect(options.userVerification).toBe('required');
    expect(options.allowCredentials).toBeUndefined();
    const response = user.authenticator.get(options);
    const verify = await client.post('/api/auth/passkeys/authentication/verify', { response });
    expect(verify.status).toBe(200);
    expect(verify.body.session.aal).toBe(2);
    expect((await client.get('/api/auth/me')).body.user.email).toBe(user.email);

    const replay = await server.client().post('/api/auth/passkeys/authentication/verify', { response });
    expect(replay.status).toBe(400);
    expect(replay.body.error_code).toBe('PASSKEY_CHALLENGE_INVALID');
  });

  it('passwordless: refuses without user verification, with a wrong user handle, and after the challenge expired', async () => {
    const user = await createPasskeyUser(server);
    const noUv = await server.client().post('/api/auth/passkeys/authentication/verify', {
      response: user.authenticator.get(await passwordlessOptions(server.client()), { userVerified: false }),
    });
    expect(noUv.body.error_code).toBe('PASSKEY_VERIFICATION_FAILED');

    const forged = user.authenticator.get(await passwordlessOptions(server.client()));
    forged.response.userHandle = Buffer.alloc(32, 1).toString('base64url');
    const wrongHandle = await server.client().post('/api/auth/passkeys/authentication/verify', { response: forged });
    expect(wrongHandle.body.error_code).toBe('PASSKEY_VERIFICATION_FAILED');

    const options = await passwordlessOptions(server.client());
    server.clock.advanceMs(121_000);
    const expired = await server.client().post('/api/auth/passkeys/authentication/verify', { response: user.authenticator.get(options) });
    expect(expired.body.error_code).toBe('PASSKEY_CHALLENGE_EXPIRED');
  });

  it('refuses and audits a signature counter that goes backwards', async () => {
    const user = await createPasskeyUser(server);
    const ok = await server.client().post('/api/auth/passkeys/authentication/verify', {
      response: user.authenticator.get(await passwordlessOptions(server.client()), { counter: 10 }),
    });
    expect(ok.status).toBe(200);
    for (const counter of [10, 3]) {
      const cloned = await server.client().post('/api/auth/passkeys/authentication/verify', {
        response: user.authenticator.get(await passwordlessOptions(server.client()), { counter }),
      });
      expect(cloned.status).toBe(400);
      expect(cloned.body.error_code).toBe('PASSKEY_COUNTER_REGRESSED');
    }
    const client = server.client();
    expect((await client.post('/api/auth/passkeys/authentication/verify', { response: user.authenticator.get(await passwordlessOptions(client), { counter: 11 }) })).status).toBe(200);
    const events = await eventTypes(client);
    expect(events.filter((e) => e.type === 'passkeys.counter_regressed')).toHaveLength(2);
  });

  it('is throttled like a TOTP code: the temp token dies after its failures, the user locks', async () => {
    const user = await createPasskeyUser(server);
    const { client, tempToken } = await startPasskeyLogin(server, user.email);
    const codes: string[] = [];
    for (let i = 0; i < 6; i += 1) {
      const options = await client.post('/api/auth/passkeys/authentication/options', { temp_token: tempToken });
      const response = user.authenticator.get(options.status === 200 ? options.body : { challenge: 'x', rpId: 'localhost' }, { origin: 'https://evil.example' });
      codes.push((await client.post('/api/auth/passkeys/authentication/verify', { temp_token: tempToken, response })).body.error_code);
    }
    expect(codes).toEqual([...Array(5).fill('PASSKEY_VERIFICATION_FAILED'), 'TEMP_TOKEN_INVALID']);

    // Ten consecutive failures lock the user, across temp tokens, as for TOTP.
    const more: string[] = [];
    for (let i = 0; i < 6; i += 1) {
      const start = await startPasskeyLogin(server, user.email);
      more.push((await start.client.post('/api/auth/passkeys/authentication/verify', { temp_token: start.tempToken, response: user.authenticator.get(start.options, { rpId: 'evil.example' }) })).body.error_code);
    }
    expect(more.slice(0, 5)).toEqual(Array(5).fill('PASSKEY_VERIFICATION_FAILED'));
    expect(more[5]).toBe('TWO_FACTOR_LOCKED');
    const locked = await startPasskeyLogin(server, user.email);
    const refused = await locked.client.post('/api/auth/passkeys/authentication/verify', { temp_token: locked.tempToken, response: user.authenticator.get(locked.options) });
    expect(refused.body.error_code).toBe('TWO_FACTOR_LOCKED');
  });
});

describe('managing passkeys', () => {
  it('renames; a foreign or malformed id is PASSKEY_NOT_FOUND', async () => {
    const { client } = await registerAndLogin(server);
    const { verify } = await addPasskey(client, newAuthenticator(server));
    const renamed = await client.request('PATCH', `/api/auth/passkeys/${verify.id}`, { json: { name: '  Phone ' } });
    expect(renamed.status).toBe(200);
    expect(renamed.body.name).toBe('Phone');
    const stranger = await registerAndLogin(server);
    for (const id of [verify.id, 'not-a-uuid']) {
      const refused = await stranger.client.request('PATCH', `/api/auth/passkeys/${id}`, { json: { name: 'mine' } });
      expect(refused.status).toBe(404);
      expect(refused.body.error_code).toBe('PASSKEY_NOT_FOUND');
    }
    expect((await stranger.client.request('DELETE', `/api/auth/passkeys/${verify.id}`)).body.error_code).toBe('PASSKEY_NOT_FOUND');
  });

  it('removing the last passkey of an account without TOTP turns two-factor off (fresh session required)', async () => {
    const { client, email, password } = await registerAndLogin(server);
    const first = await addPasskey(client, newAuthenticator(server));
    const second = await addPasskey(client, newAuthenticator(server));
    server.clock.advanceMs(601_000);
    const stale = await client.request('DELETE', `/api/auth/passkeys/${first.verify.id}`);
    expect(stale.body.error_code).toBe('SESSION_NOT_FRESH');
    expect((await client.post('/api/auth/reauthenticate', { password })).status).toBe(200);

    const one = await client.request('DELETE', `/api/auth/passkeys/${first.verify.id}`);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ two_factor_enabled: true, session: { aal: 2 } });
    const last = await client.request('DELETE', `/api/auth/passkeys/${second.verify.id}`);
    expect(last.status).toBe(200);
    expect(last.body).toMatchObject({ two_factor_enabled: false, session: { aal: 1 } });
    expect((await client.get('/api/auth/me')).status).toBe(200);

    const login = await server.client().post('/api/auth/login', { email, password });
    expect(login.body.requires_2fa).toBe(false);
    const events = await eventTypes(client);
    expect(events.find((e) => e.type === '2fa.disabled')?.details).toMatchObject({ method: 'passkey', reason: 'last_passkey_removed' });
    expect(events.filter((e) => e.type === 'passkeys.removed')).toHaveLength(2);
  });

  it('disabling TOTP while a passkey remains keeps two-factor on, the backup codes and AAL2', async () => {
    const { client, email, password } = await registerAndLogin(server);
    const { secret, backupCodes } = await enableTwoFactor(server, client);
    await addPasskey(client, newAuthenticator(server));
    server.clock.advanceMs(31_000);
    const disabled = await client.post('/api/auth/2fa/disable', { code: totpNow(server, secret) });
    expect(disabled.status).toBe(200);
    expect(disabled.body.session.aal).toBe(2);
    expect((await client.get('/api/auth/passkeys')).status).toBe(200);
    const login = await server.client().post('/api/auth/login', { email, password });
    expect(login.body.methods).toEqual(['passkey', 'backup_code']);
    const backup = await server.client().post('/api/auth/2fa/verify', { temp_token: login.body.temp_token, backup_code: backupCodes[0] });
    expect(backup.status).toBe(200);
  });
});
