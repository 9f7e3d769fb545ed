import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerAndLogin, startTestServer, STRONG_PASSWORD, uniqueEmail, type TestServer } from '../support/test-server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

describe('register', () => {
  it('creates an account with a normalised email and answers 201 without a session cookie', async () => {
    const client = server.client();
    const email = uniqueEmail('Mixed.Case');
    const response = await client.post('/api/auth/register', { email: `  ${email.toUpperCase()} `, password: STRONG_PASSWORD });
    expect(response.status).toBe(201);
    expect(response.body.user.email).toBe(email.toLowerCase());
    expect(response.body.user.role).toBe('user');
    expect(response.setCookies).toHaveLength(0);
    expect(JSON.stringify(response.body)).not.toContain(STRONG_PASSWORD);
  });

  it('refuses a duplicate email, whatever its case, with EMAIL_ALREADY_REGISTERED', async () => {
    const client = server.client();
    const email = uniqueEmail();
    expect((await client.post('/api/auth/register', { email, password: STRONG_PASSWORD })).status).toBe(201);
    const again = await client.post('/api/auth/register', { email: email.toUpperCase(), password: STRONG_PASSWORD });
    expect(again.status).toBe(409);
    expect(again.body.error_code).toBe('EMAIL_ALREADY_REGISTERED');
    expect(again.headers.get('content-type')).toContain('application/problem+json');
  });

  it.each([
    ['short', 'short-pass1', 'PASSWORD_TOO_SHORT'],
    ['long', 'x'.repeat(64) + 'y'.repeat(65), 'PASSWORD_TOO_LONG'],
    ['on the common-password list', 'qwerty123456', 'PASSWORD_TOO_COMMON'],
    ['on the common-password list, any case', '1QAZ2WSX3EDC', 'PASSWORD_TOO_COMMON'],
    ['one repeated character', 'aaaaaaaaaaaaaaaa', 'PASSWORD_TOO_COMMON'],
  ])('refuses a password that is %s', async (_label, password, code) => {
    const response = await server.client().post('/api/auth/register', { email: uniqueEmail(), password });
    expect(response.status).toBe(400);
    expect(response.body.error_code).toBe(code);
  });

  it('accepts a long passphrase with no composition rules (NIST 800-63B)', async () => {
    const response = await server
      .client()
      .post('/api/auth/register', { email: uniqueEmail(), password: 'all lower case words only here' });
    expect(response.status).toBe(201);
  });

  it('refuses the email itself as password', async () => {
    const email = uniqueEmail('samepass');
    const response = await server.client().post('/api/auth/register', { email, password: email });
    expect(response.status).toBe(400);
    expect(response.body.error_code).toBe('PASSWORD_TOO_COMMON');
  });

  it('refuses an invalid email and unknown fields with VALIDATION_FAILED, naming the field', async () => {
    const bad = await server.client().post('/api/auth/register', { email: 'not-an-email', password: STRONG_PASSWORD });
    expect(bad.status).toBe(400);
    expect(bad.body.error_code).toBe('VALIDATION_FAILED');
    expect(bad.body.errors[0].path).toBe('email');
    const extra = await server
      .client()
      .post('/api/auth/register', { email: uniqueEmail(), password: STRONG_PASSWORD, role: 'admin' });
    expect(extra.status).toBe(400);
    expect(extra.body.error_code).toBe('VALIDATION_FAILED');
  });
});

describe('login', () => {
  it('signs in with the right password and sets an httpOnly SameSite=Strict session cookie', async () => {
    const email = uniqueEmail();
    const client = server.client();
    await client.post('/api/auth/register', { email, password: STRONG_PASSWORD });
    const response = await client.post('/api/auth/login', { email: email.toUpperCase(), password: STRONG_PASSWORD });
    expect(response.status).toBe(200);
    expect(response.body.requires_2fa).toBe(false);
    expect(response.body.session.aal).toBe(1);
    const cookie = response.setCookies.find((c) => c.startsWith('proofgate_session='))!;
    expect(cookie).toBeDefined();
    const device = response.setCookies.find((c) => c.startsWith('proofgate_device='));
    expect(device, 'a device cookie marks this browser as a known device').toMatch(/HttpOnly/i);
    expect(response.setCookies).toHaveLength(2);
    expect(cookie).toMatch(/^proofgate_session=[A-Za-z0-9_-]{43};/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).not.toMatch(/Secure/i);
  });

  it('answers the same INVALID_CREDENTIALS for a wrong password and for an unknown email', async () => {
    const { email } = await registerAndLogin(server);
    const wrongPassword = await server.client().post('/api/auth/login', { email, password: 'wrong-password-123' });
    const unknownEmail = await server.client().post('/api/auth/login', { email: uniqueEmail('nobody'), password: 'wrong-password-123' });
    for (const response of [wrongPassword, unknownEmail]) {
      expect(response.status).toBe(401);
      expect(response.body.error_code).toBe('INVALID_CREDENTIALS');
      expect(response.setCookies).toHaveLength(0);
    }
    const strip = (b: Record<string, unknown>) => ({ ...b, request_id: undefined });
    expect(strip(wrongPassword.body)).toEqual(strip(unknownEmail.body));
  });

  it('replaces a session cookie sent along with a login instead of keeping it (session fixation)', async () => {
    const { client, email } = await registerAndLogin(server);
    const before = client.cookies.get('proofgate_session');
    const again = await client.post('/api/auth/login', { email, password: STRONG_PASSWORD });
    expect(again.status).toBe(200);
    const after = client.cookies.get('proofgate_session');
    expect(after).toBeDefined();
    expect(after).not.toBe(before);
    const stale = await client.get('/api/auth/me', { headers: { cookie: `proofgate_session=${before}` } });
    expect(stale.status).toBe(401);
  });
});

describe('me and logout', () => {
  it('answers me with the session cookie and 401 UNAUTHENTICATED without it', async () => {
    const { client, email } = await registerAndLogin(server);
    const me = await client.get('/api/auth/me');
    expect(me.status).toBe(200);
    expect(me.body.user.email).toBe(email);
    expect(me.body.user.is_admin).toBe(false);
    const anonymous = await server.client().get('/api/auth/me');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error_code).toBe('UNAUTHENTICATED');
  });

  it('refuses a tampered cookie and clears it', async () => {
    const { client } = await registerAndLogin(server);
    const token = client.cookies.get('proofgate_session')!;
    const flipped = (token[0] === 'A' ? 'B' : 'A') + token.slice(1);
    for (const value of [flipped, token.slice(1), `${token}x`, 'not-a-token', '']) {
      const response = await client.get('/api/auth/me', { headers: { cookie: `proofgate_session=${value}` } });
      expect(response.status).toBe(401);
      expect(response.body.error_code).toBe('UNAUTHENTICATED');
    }
  });

  it('logout deletes the server-side session: the old cookie no longer works', async () => {
    const { client } = await registerAndLogin(server);
    const token = client.cookies.get('proofgate_session')!;
    const logout = await client.post('/api/auth/logout');
    expect(logout.status).toBe(204);
    expect(logout.setCookies[0]).toMatch(/proofgate_session=;/);
    const replay = await server.client().get('/api/auth/me', { headers: { cookie: `proofgate_session=${token}` } });
    expect(replay.status).toBe(401);
  });
});

describe('fresh sessions', () => {
  it('reauthenticate refreshes authenticated_at and rotates the session token', async () => {
    const { client, password } = await registerAndLogin(server);
    const before = client.cookies.get('proofgate_session');
    server.clock.advanceSeconds(120);
    const response = await client.post('/api/auth/reauthenticate', { password });
    expect(response.status).toBe(200);
    expect(new Date(response.body.session.authenticated_at).getTime()).toBe(server.clock.nowMs());
    expect(client.cookies.get('proofgate_session')).not.toBe(before);
    expect((await client.get('/api/auth/me')).status).toBe(200);
    const wrong = await client.post('/api/auth/reauthenticate', { password: 'not-the-password' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error_code).toBe('INVALID_CREDENTIALS');
  });
});

describe('security events', () => {
  it("lists the user's own sign-ins with IP and user agent, nothing secret", async () => {
    const { client } = await registerAndLogin(server);
    const response = await client.get('/api/auth/security-events', { headers: { 'user-agent': 'vitest-browser/1.0' } });
    expect(response.status).toBe(200);
    const types = response.body.events.map((e: { type: string }) => e.type);
    expect(types).toContain('auth.login.succeeded');
    expect(types).toContain('auth.registered');
    expect(response.body.events[0].ip).toBe('127.0.0.1');
    expect((await server.client().get('/api/auth/security-events')).status).toBe(401);
  });
});

describe('password change', () => {
  it('needs the current password, signs out every other session, rotates this one, and the old password stops working', async () => {
    const { client, email, password } = await registerAndLogin(server);
    const laptop = server.client();
    await laptop.post('/api/auth/login', { email, password });
    const before = client.cookies.get('proofgate_session');
    const newPassword = 'a-different-passphrase-42';

    const wrong = await client.post('/api/auth/password', { current_password: 'not-my-password-1', new_password: newPassword });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error_code).toBe('INVALID_CREDENTIALS');
    const weak = await client.post('/api/auth/password', { current_password: password, new_password: 'short' });
    expect(weak.body.error_code).toBe('PASSWORD_TOO_SHORT');
    expect((await laptop.get('/api/auth/me')).status).toBe(200);

    const changed = await client.post('/api/auth/password', { current_password: password, new_password: newPassword });
    expect(changed.status).toBe(200);
    expect(changed.body.sessions_revoked).toBe(1);
    expect(client.cookies.get('proofgate_session')).not.toBe(before);
    expect((await client.get('/api/auth/me')).status).toBe(200);
    expect((await laptop.get('/api/auth/me')).status).toBe(401);

    expect((await server.client().post('/api/auth/login', { email, password })).body.error_code).toBe('INVALID_CREDENTIALS');
    expect((await server.client().post('/api/auth/login', { email, password: newPassword })).status).toBe(200);
    const events = (await client.get('/api/auth/security-events')).body.events.map((e: { type: string }) => e.type);
    expect(events).toEqual(expect.arrayContaining(['auth.password_changed', 'auth.password_change.failed']));
  });

  it('refuses anonymous callers', async () => {
    const response = await server.client().post('/api/auth/password', { current_password: 'x', new_password: 'y' });
    expect(response.status).toBe(401);
  });
});
