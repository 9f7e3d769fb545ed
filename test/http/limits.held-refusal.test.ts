import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, STRONG_PASSWORD, uniqueEmail, type TestServer } from '../support/test-server';

/**
 * Threat: one address flooding with many connections, each sending again the moment it is
 * refused. A throttle's 429 answered at once came straight back (about 2,800 refusals a second
 * from 200 connections in the bench), each one parsed, checked against the throttle's store and
 * answered on the cores a legitimate sign-in needs. THROTTLE_REFUSAL_DELAY_MS (default 1 s)
 * holds each refusal back before it is answered. Only lower bounds on time are asserted: a
 * held refusal can never come early, whatever the machine's load.
 */

const HOLD_MS = 1000;
// A timer may fire a millisecond early against performance.now(); the hold is a whole second.
const HELD_AT_LEAST_MS = HOLD_MS - 20;

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({
    // The production default (undefined overrides the test servers' 0); TRUST_PROXY=loopback
    // lets the test pick its client address with X-Forwarded-For.
    env: { THROTTLE_REFUSAL_DELAY_MS: undefined, TRUST_PROXY: 'loopback', LOGIN_IP_MAX_FAILURES: '3' },
  });
});
afterAll(async () => {
  await server?.close();
});

const from = (ip: string) => ({ headers: { 'x-forwarded-for': ip } });

async function timedLogin(email: string, password: string, ip: string) {
  const started = performance.now();
  const response = await server.client().post('/api/auth/login', { email, password }, from(ip));
  return { response, elapsedMs: performance.now() - started };
}

describe('throttle refusals are held back (THROTTLE_REFUSAL_DELAY_MS, default 1000)', () => {
  it('past LOGIN_IP_MAX_FAILURES, every 429 from that address arrives after the hold, as problem+json with Retry-After; another address signs in', async () => {
    const flooding = '198.51.100.40';
    const email = uniqueEmail('held');
    expect((await server.client().post('/api/auth/register', { email, password: STRONG_PASSWORD }, from('198.51.100.41'))).status).toBe(201);
    for (let i = 0; i < 3; i += 1) expect((await timedLogin(email, 'wrong-password-for-sure', flooding)).response.status).toBe(401);

    const first = await timedLogin(email, 'wrong-password-for-sure', flooding);
    expect(first.response.status).toBe(429);
    expect(first.response.headers.get('content-type')).toContain('application/problem+json');
    expect(first.response.body.error_code).toBe('RATE_LIMITED');
    expect(first.response.headers.get('retry-after')).toBe(String(first.response.body.retry_after));
    expect(first.elapsedMs).toBeGreaterThanOrEqual(HELD_AT_LEAST_MS);

    // A burst: every refusal is held, none answered early; the right password from another address still signs in.
    const burst = Array.from({ length: 40 }, () => timedLogin(email, STRONG_PASSWORD, flooding));
    const bystander = await timedLogin(email, STRONG_PASSWORD, '203.0.113.40');
    const refused = await Promise.all(burst);
    expect(bystander.response.status).toBe(200);
    expect(refused.map(({ response }) => response.status)).toEqual(Array.from({ length: 40 }, () => 429));
    expect(Math.min(...refused.map(({ elapsedMs }) => elapsedMs))).toBeGreaterThanOrEqual(HELD_AT_LEAST_MS);
  });
});
