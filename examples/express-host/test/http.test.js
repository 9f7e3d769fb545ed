import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, enableTwoFactor, PASSWORD, registerAndLogin, startHost, totp, uniqueEmail } from './support.js';

let host;
let hostTablesBefore;
beforeAll(async () => {
  host = await startHost();
  await host.query("insert into public.users (login) values ('host-alice')");
  hostTablesBefore = await host.query("select table_name from information_schema.tables where table_schema = 'public' order by table_name");
});
afterAll(async () => {
  await host?.stop();
});

function expectProblem(response, status, code) {
  expect(response.status, response.text).toBe(status);
  expect(response.contentType).toContain('application/problem+json');
  expect(response.body.error_code).toBe(code);
}

describe('the host routes behind gate.requireSession()', () => {
  it('401 UNAUTHENTICATED without a session', async () => {
    expectProblem(await client(host.url).get('/api/orders'), 401, 'UNAUTHENTICATED');
    expectProblem(await client(host.url).post('/api/payouts'), 401, 'UNAUTHENTICATED');
  });

  it('a signed-in user reaches /api/orders and gets its own orders', async () => {
    const { browser, userId, email } = await registerAndLogin(host.url);
    expect((await browser.post('/api/orders', { item: 'book' })).status).toBe(201);
    const orders = await browser.get('/api/orders');
    expect(orders.status).toBe(200);
    expect(orders.body.user).toEqual({ id: userId, email, role: 'user' });
    expect(orders.body.orders).toEqual([{ id: expect.any(Number), item: 'book' }]);
  });

  it('/api/payouts: 403 TWO_FACTOR_REQUIRED with a password-only (AAL1) session, 200 after the second factor', async () => {
    const { browser } = await registerAndLogin(host.url);
    expectProblem(await browser.post('/api/payouts'), 403, 'TWO_FACTOR_REQUIRED');
    await enableTwoFactor(browser);
    const paid = await browser.post('/api/payouts');
    expect(paid.status, paid.text).toBe(200);
    expect(paid.body).toEqual({ paid: true, aal: 2 });
  });

  it('a 2FA user signing in: no session between the steps, 200 once the code is verified', async () => {
    const email = uniqueEmail('2fa');
    const { browser: owner } = await registerAndLogin(host.url, email);
    const secret = await enableTwoFactor(owner);
    const browser = client(host.url);
    const login = await browser.post('/api/auth/login', { email, password: PASSWORD });
    expect(login.body.requires_2fa).toBe(true);
    expectProblem(await browser.post('/api/payouts'), 401, 'UNAUTHENTICATED');
    const verified = await browser.post('/api/auth/2fa/verify', { temp_token: login.body.temp_token, code: totp(secret, 1) });
    expect(verified.status, verified.text).toBe(200);
    expect((await browser.post('/api/payouts')).status).toBe(200);
  });

  it('an AAL1 session of a 2FA user gets 403 TWO_FACTOR_REQUIRED', async () => {
    // The public API never leaves a 2FA account a password-only session (enabling 2FA ends
    // the others): one is issued directly through the services to check the guard's answer.
    const email = uniqueEmail('aal1');
    const { browser, userId } = await registerAndLogin(host.url, email);
    await enableTwoFactor(browser);
    const { services } = host.gate;
    const user = await services.users.findById(userId);
    const issued = await services.sessions.issue({ id: userId, credentialEpoch: user.credentialEpoch }, 1, { ip: '127.0.0.1', userAgent: 'example' });
    const aal1 = client(host.url);
    aal1.jar.set('proofgate_session', issued.token);
    expectProblem(await aal1.get('/api/orders'), 403, 'TWO_FACTOR_REQUIRED');
    expectProblem(await aal1.post('/api/payouts'), 403, 'TWO_FACTOR_REQUIRED');
  });
});

describe('the host database', () => {
  it("Proofgate's migrations left the host's tables alone (its own users table included)", async () => {
    expect(await host.query("select table_name from information_schema.tables where table_schema = 'public' order by table_name")).toEqual(hostTablesBefore);
    expect(hostTablesBefore.map((row) => row.table_name)).toEqual(['orders', 'users']);
    expect(await host.query('select login from public.users')).toEqual([{ login: 'host-alice' }]);
    const own = await host.query("select count(*)::int as n from information_schema.tables where table_schema = 'proofgate'");
    expect(own[0].n).toBeGreaterThan(5);
  });
});
