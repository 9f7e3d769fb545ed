import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, createProofgate, ProofgateError } from '../../src/server/index';
import { startHostServer } from '../support/host-app';
import type { HttpResponse } from '../support/http-client';
import { grantAdmin, registerAndLogin, uniqueEmail, type TestServer } from '../support/test-server';
import { createTwoFactorUser, enableTwoFactor, startTwoFactorLogin, totpNextStep } from '../support/two-factor';

/**
 * Proofgate mounted in a host Express app (issue 18's contract): gate.router next to the
 * host's own routes, gate.requireSession() guarding them, answers as problem+json whatever the
 * host's own error handler does.
 */

let host: TestServer;
beforeAll(async () => {
  host = await startHostServer();
});
afterAll(async () => {
  await host?.close();
});

function expectProblem(response: HttpResponse, status: number, code: string) {
  expect(response.status, response.text).toBe(status);
  expect(response.headers.get('content-type')).toContain('application/problem+json');
  expect(response.body.error_code).toBe(code);
}

describe('gate.router inside a host app', () => {
  it('serves Proofgate routes and leaves every host route before and after it alone', async () => {
    expect((await host.client().get('/api/host/before')).body).toEqual({ host: true });
    expect((await host.client().get('/api/host/after')).body).toEqual({ host: true });
    expect((await host.client().get('/api/openapi.json')).body.openapi).toMatch(/^3\.1/);
    expectProblem(await host.client().get('/api/auth/no-such-route'), 404, 'NOT_FOUND');
    // A host page outside /api is not Proofgate's 404 either (the host has no handler: Express's own).
    expect((await host.client().get('/some/host/page')).headers.get('content-type') ?? '').not.toContain('problem+json');
  });

  it('does not impose its JSON-only body rule on a host route', async () => {
    const { client, userId } = await registerAndLogin(host);
    const created = await client.request('POST', '/api/orders', {
      raw: 'item=book',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(created.status, created.text).toBe(201);
    expect(created.body).toEqual({ item: 'book', user: userId });
  });
});

describe('gate.requireSession()', () => {
  it('401 UNAUTHENTICATED without a session, as problem+json, not through the host error handler', async () => {
    expectProblem(await host.client().get('/api/orders'), 401, 'UNAUTHENTICATED');
    expectProblem(await host.client().post('/api/payouts', {}), 401, 'UNAUTHENTICATED');
    expectProblem(await host.client().get('/admin/x'), 401, 'UNAUTHENTICATED');
  });

  it('sets req.proofgate.user and req.proofgate.session for a signed-in user', async () => {
    const { client, userId, email } = await registerAndLogin(host, uniqueEmail('orders'));
    const orders = await client.get('/api/orders');
    expect(orders.status).toBe(200);
    expect(orders.body.proofgate.user).toEqual({ id: userId, email, role: 'user' });
    expect(orders.body.proofgate.session).toEqual({ id: expect.any(String), aal: 1, created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
  });

  it('({ aal: 2 }): 403 TWO_FACTOR_REQUIRED for a password-only session, 200 after the second factor', async () => {
    const { client } = await registerAndLogin(host, uniqueEmail('payouts'));
    const refused = await client.post('/api/payouts', {});
    expectProblem(refused, 403, 'TWO_FACTOR_REQUIRED');
    expect(refused.body.setup).toEqual({ method: 'POST', href: '/api/auth/2fa/setup' });
    // Enabling 2FA keeps the owner's session and raises it to AAL2.
    await enableTwoFactor(host, client);
    const paid = await client.post('/api/payouts', {});
    expect(paid.status, paid.text).toBe(200);
    expect(paid.body.session.aal).toBe(2);
  });

  it('a 2FA user signs in with the password, then the code: 200 only after the second factor', async () => {
    const user = await createTwoFactorUser(host);
    const { client, tempToken } = await startTwoFactorLogin(host, user.email, user.password);
    // Between the two steps there is no session at all.
    expectProblem(await client.post('/api/payouts', {}), 401, 'UNAUTHENTICATED');
    const verified = await client.post('/api/auth/2fa/verify', { temp_token: tempToken, code: totpNextStep(host, user.secret) });
    expect(verified.status, verified.text).toBe(200);
    expect((await client.post('/api/payouts', {})).status).toBe(200);
    expect((await client.get('/api/orders')).body.proofgate.session.aal).toBe(2);
  });

  it('an AAL1 session of a 2FA user (not reachable through the API: issued directly) gets 403 TWO_FACTOR_REQUIRED everywhere', async () => {
    const user = await createTwoFactorUser(host);
    const row = await host.proofgate.services.users.findByEmail(user.email);
    const issued = await host.proofgate.services.sessions.issue({ id: user.userId, credentialEpoch: row!.credentialEpoch }, 1, { ip: '127.0.0.1', userAgent: 'test', requestId: 'test' });
    expect(issued).toBeDefined();
    const client = host.client();
    client.cookies.set('proofgate_session', issued!.token);
    expectProblem(await client.get('/api/orders'), 403, 'TWO_FACTOR_REQUIRED');
    expectProblem(await client.post('/api/payouts', {}), 403, 'TWO_FACTOR_REQUIRED');
    expectProblem(await client.get('/api/auth/me'), 403, 'TWO_FACTOR_REQUIRED');
  });

  it('({ admin: true }): 403 FORBIDDEN for a user, 200 for an admin', async () => {
    const { client, email } = await registerAndLogin(host, uniqueEmail('host-admin'));
    expectProblem(await client.get('/admin/x'), 403, 'FORBIDDEN');
    await grantAdmin(host, email);
    const allowed = await client.get('/admin/x');
    expect(allowed.status, allowed.text).toBe(200);
    expect(allowed.body).toEqual({ admin: 'admin' });
  });

  it('applies the Origin rule to a state-changing host route', async () => {
    const { client } = await registerAndLogin(host, uniqueEmail('origin'));
    await enableTwoFactor(host, client);
    expectProblem(await client.post('/api/payouts', {}, { headers: { origin: 'https://evil.example' } }), 403, 'ORIGIN_REJECTED');
    expectProblem(await client.post('/api/payouts', {}, { headers: { 'sec-fetch-site': 'cross-site' } }), 403, 'ORIGIN_REJECTED');
    // Reads are not state-changing: a foreign Origin on GET is the browser's CORS business.
    expect((await client.get('/api/orders', { headers: { origin: 'https://evil.example' } })).status).toBe(200);
    expect((await client.post('/api/payouts', {}, { headers: { origin: host.url } })).status).toBe(200);
  });

  it('a session ended by sign-out is refused on the very next host request', async () => {
    const { client } = await registerAndLogin(host, uniqueEmail('revoked'));
    const cookie = client.cookies.get('proofgate_session')!;
    expect((await client.get('/api/orders')).status).toBe(200);
    expect((await client.post('/api/auth/logout')).status).toBeLessThan(300);
    const stale = host.client();
    stale.cookies.set('proofgate_session', cookie);
    expectProblem(await stale.get('/api/orders'), 401, 'UNAUTHENTICATED');
  });
});

describe('gate.sendSmsAlert', () => {
  it('takes the audited SMS path: not configured → SMS_NOT_CONFIGURED, one usage row, no user as actor', async () => {
    const error = await host.proofgate.sendSmsAlert({ to: '+14155550123', body: 'disk full on db-1', traceId: 'host-trace-0001' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProofgateError);
    expect((error as ProofgateError).code).toBe('SMS_NOT_CONFIGURED');
    const rows = await host.proofgate.database.query<{ action: string; status: string; actor_user_id: string | null }>(
      'select action, status, actor_user_id from integration_usage_events where trace_id = $1',
      ['host-trace-0001'],
    );
    expect(rows).toEqual([{ action: 'sms.alert', status: 'not_configured', actor_user_id: null }]);
    expect(host.logs.some((line) => line.includes('host-trace-0001') && line.includes('sms alert not sent'))).toBe(true);
    expect(host.logs.join('\n')).not.toContain('disk full on db-1');
  });

  it('refuses a malformed traceId or an empty body before anything is sent', async () => {
    for (const input of [
      { to: '+14155550123', body: 'x', traceId: 'bad trace id with spaces' },
      { to: '+14155550123', body: '   ' },
    ]) {
      const error = await host.proofgate.sendSmsAlert(input).catch((e: unknown) => e);
      expect((error as ProofgateError).code).toBe('VALIDATION_FAILED');
    }
  });
});

describe('createProofgate options', () => {
  it('refuses bad and unknown options by their camelCased names, never echoing a value', async () => {
    const error = await createProofgate({
      port: 70_000,
      databasePoolMax: 0,
      appEncKey: 'c2VjcmV0LW5vdC0zMi1ieXRlcw==',
      databaseSchema: 'public',
      ...({ bogusOption: 1 } as object),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const name of ['port', 'databasePoolMax', 'appEncKey', 'databaseSchema', 'bogusOption']) expect(problems).toMatch(new RegExp(`^${name} `, 'm'));
    expect(problems).not.toMatch(/PORT|DATABASE_POOL_MAX|c2VjcmV0/);
  });

  it('encKey and appEncKey are one option', async () => {
    const key = Buffer.alloc(32, 9).toString('base64');
    const error = await createProofgate({ encKey: key, appEncKey: key }).catch((e: unknown) => e);
    expect((error as ConfigError).problems).toEqual(['encKey and appEncKey are the same option: give one']);
  });
});
