import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpClient } from '../support/http-client';
import { registerAndLogin, startTestServer, type TestServer } from '../support/test-server';

/**
 * Settings → Security's session list: a user sees and ends only their own sessions, a revoked
 * session is refused on its very next request, and ids never double as tokens.
 */

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ env: { TRUST_PROXY: 'loopback' } });
});
afterAll(async () => {
  await server?.close();
});

const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
const SAFARI_IOS =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';

/** A second browser of the same user, signed in from its own address and User-Agent. */
async function signInElsewhere(email: string, password: string, userAgent: string, ip: string): Promise<HttpClient> {
  const client = server.client();
  const login = await client.post('/api/auth/login', { email, password }, { headers: { 'user-agent': userAgent, 'x-forwarded-for': ip } });
  expect(login.status, login.text).toBe(200);
  return client;
}

const listSessions = (client: HttpClient) => client.get('/api/auth/sessions');
const revoke = (client: HttpClient, id: string) => client.request('DELETE', `/api/auth/sessions/${id}`);

describe('GET /api/auth/sessions', () => {
  it("lists the user's sessions with device, address, times, AAL and which one is current", async () => {
    const owner = await registerAndLogin(server);
    await signInElsewhere(owner.email, owner.password, FIREFOX, '198.51.100.7');
    await signInElsewhere(owner.email, owner.password, SAFARI_IOS, '2001:db8::5');

    const response = await listSessions(owner.client);
    expect(response.status, response.text).toBe(200);
    const sessions = response.body.sessions as Array<Record<string, unknown>>;
    expect(sessions).toHaveLength(3);
    expect(sessions.filter((s) => s.current)).toHaveLength(1);
    const firefox = sessions.find((s) => s.device === 'Firefox on Linux')!;
    expect(firefox).toMatchObject({ ip: '198.51.100.7', aal: 1, current: false, second_factor_remembered: false, user_agent: FIREFOX });
    expect(Date.parse(firefox.created_at as string)).not.toBeNaN();
    expect(Date.parse(firefox.last_seen_at as string)).not.toBeNaN();
    expect(sessions.find((s) => s.device === 'Safari on iOS')).toMatchObject({ ip: '2001:db8::5' });
    expect(response.body.remembered_devices).toEqual([]);
    expect(response.body.remember_device_days).toBe(30);
  });

  it('never exposes the session token or its hash', async () => {
    const owner = await registerAndLogin(server);
    const token = owner.client.cookies.get('proofgate_session')!;
    const response = await listSessions(owner.client);
    expect(response.text).not.toContain(token);
    expect(response.text).not.toContain(createHash('sha256').update(token).digest('hex'));
  });

  it('needs a session', async () => {
    const response = await server.client().get('/api/auth/sessions');
    expect(response.status).toBe(401);
    expect(response.body.error_code).toBe('UNAUTHENTICATED');
  });

  it("shows none of another user's sessions", async () => {
    const alice = await registerAndLogin(server);
    const bob = await registerAndLogin(server);
    const aliceIds = ((await listSessions(alice.client)).body.sessions as Array<{ id: string }>).map((s) => s.id);
    const bobIds = ((await listSessions(bob.client)).body.sessions as Array<{ id: string }>).map((s) => s.id);
    expect(aliceIds).toHaveLength(1);
    expect(bobIds).toHaveLength(1);
    expect(aliceIds).not.toContain(bobIds[0]);
  });
});

describe('DELETE /api/auth/sessions/{id}', () => {
  it('ends another session of the user: that browser is refused at once, and the revoke is a security event', async () => {
    const owner = await registerAndLogin(server);
    const laptop = await signInElsewhere(owner.email, owner.password, FIREFOX, '198.51.100.8');
    expect((await laptop.get('/api/auth/me')).status).toBe(200);
    const other = ((await listSessions(owner.client)).body.sessions as Array<{ id: string; current: boolean }>).find((s) => !s.current)!;

    const revoked = await revoke(owner.client, other.id);
    expect(revoked.status, revoked.text).toBe(204);

    const refused = await laptop.get('/api/auth/me');
    expect(refused.status).toBe(401);
    expect(refused.body.error_code).toBe('UNAUTHENTICATED');
    expect((await owner.client.get('/api/auth/me')).status).toBe(200);
    const remaining = (await listSessions(owner.client)).body.sessions as Array<{ id: string }>;
    expect(remaining.map((s) => s.id)).not.toContain(other.id);
    const events = (await owner.client.get('/api/auth/security-events')).body.events as Array<{ type: string; details: object }>;
    expect(events.find((e) => e.type === 'sessions.revoked')).toMatchObject({ details: { via: 'other' } });
  });

  it("cannot touch another user's session: 404 like an unknown id, and that session lives on", async () => {
    const alice = await registerAndLogin(server);
    const mallory = await registerAndLogin(server);
    const aliceSession = ((await listSessions(alice.client)).body.sessions as Array<{ id: string }>)[0]!;

    const attempt = await revoke(mallory.client, aliceSession.id);
    expect(attempt.status).toBe(404);
    expect(attempt.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(attempt.body.error_code).toBe('NOT_FOUND');
    const unknown = await revoke(mallory.client, '00000000-0000-4000-8000-000000000000');
    expect(unknown.status).toBe(404);
    expect({ ...unknown.body, request_id: undefined, instance: undefined }).toEqual({ ...attempt.body, request_id: undefined, instance: undefined });
    expect((await alice.client.get('/api/auth/me')).status).toBe(200);
  });

  it('answers a malformed id with a 404 problem, never a 500', async () => {
    const owner = await registerAndLogin(server);
    for (const id of ['not-a-uuid', "1' or '1'='1", '%00', 'x'.repeat(300)]) {
      const response = await revoke(owner.client, encodeURIComponent(id));
      expect(response.status, id).toBe(404);
      expect(response.body.error_code).toBe('NOT_FOUND');
    }
  });

  it('ending the current session signs this browser out', async () => {
    const owner = await registerAndLogin(server);
    const current = ((await listSessions(owner.client)).body.sessions as Array<{ id: string; current: boolean }>).find((s) => s.current)!;
    const response = await revoke(owner.client, current.id);
    expect(response.status).toBe(204);
    expect(response.setCookies.some((c) => /^proofgate_session=;/.test(c))).toBe(true);
    expect((await owner.client.get('/api/auth/me')).status).toBe(401);
  });

  it('is refused from a foreign origin', async () => {
    const owner = await registerAndLogin(server);
    const current = ((await listSessions(owner.client)).body.sessions as Array<{ id: string }>)[0]!;
    const response = await owner.client.request('DELETE', `/api/auth/sessions/${current.id}`, { headers: { origin: 'https://evil.example' } });
    expect(response.status).toBe(403);
    expect(response.body.error_code).toBe('ORIGIN_REJECTED');
    expect((await owner.client.get('/api/auth/me')).status).toBe(200);
  });
});

describe('ending sessions needs a fresh session (ASVS 5.0 7.5.2)', () => {
  it('a stale session gets SESSION_NOT_FRESH with the way back, and may end sessions after confirming the password', async () => {
    const owner = await registerAndLogin(server);
    const laptop = await signInElsewhere(owner.email, owner.password, FIREFOX, '198.51.100.11');
    const other = ((await listSessions(owner.client)).body.sessions as Array<{ id: string; current: boolean }>).find((s) => !s.current)!;
    server.clock.advanceSeconds(601);
    // Both sessions are kept alive (idle timeout) but the password was proven too long ago.
    expect((await laptop.get('/api/auth/me')).status).toBe(200);

    for (const response of [await revoke(owner.client, other.id), await owner.client.post('/api/auth/sessions/revoke-others')]) {
      expect(response.status).toBe(403);
      expect(response.body.error_code).toBe('SESSION_NOT_FRESH');
      expect(response.body.reauthenticate).toEqual({ method: 'POST', href: '/api/auth/reauthenticate' });
    }
    expect((await laptop.get('/api/auth/me')).status).toBe(200);

    expect((await owner.client.post('/api/auth/reauthenticate', { password: owner.password })).status).toBe(200);
    expect((await revoke(owner.client, other.id)).status).toBe(204);
    expect((await laptop.get('/api/auth/me')).status).toBe(401);
  });
});

describe('POST /api/auth/sessions/revoke-others', () => {
  it('ends every other session of the user, keeps this one, and leaves other users alone', async () => {
    const owner = await registerAndLogin(server);
    const laptop = await signInElsewhere(owner.email, owner.password, FIREFOX, '198.51.100.9');
    const phone = await signInElsewhere(owner.email, owner.password, SAFARI_IOS, '198.51.100.10');
    const bystander = await registerAndLogin(server);

    const response = await owner.client.post('/api/auth/sessions/revoke-others');
    expect(response.status, response.text).toBe(200);
    expect(response.body).toEqual({ sessions_revoked: 2, remembered_devices_forgotten: 0 });

    expect((await laptop.get('/api/auth/me')).status).toBe(401);
    expect((await phone.get('/api/auth/me')).status).toBe(401);
    expect((await owner.client.get('/api/auth/me')).status).toBe(200);
    expect((await bystander.client.get('/api/auth/me')).status).toBe(200);
    const sessions = (await listSessions(owner.client)).body.sessions as Array<{ current: boolean }>;
    expect(sessions).toEqual([expect.objectContaining({ current: true })]);
    const events = (await owner.client.get('/api/auth/security-events')).body.events as Array<{ type: string; details: object }>;
    expect(events.find((e) => e.type === 'sessions.revoked_others')).toMatchObject({ details: { sessions_revoked: 2 } });
  });
});
