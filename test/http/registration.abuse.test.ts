import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { argon2Pool, ARGON2_MAX_QUEUED_PER_CLIENT, ARGON2_OVERFLOW_REFUSAL_DELAY_MS } from '../../src/server/lib/argon2';
import { startTestServer, STRONG_PASSWORD, uniqueEmail, type TestServer } from '../support/test-server';

/**
 * Threats: account enumeration and argon2 exhaustion through sign-up. Before: 150 registrations
 * from one IP answered 75 × 201 and 75 × 409 and never 429 (every 409 says "this email has an
 * account"), and each of them, 409s included, cost an argon2 hash.
 */

let server: TestServer;
let globalCapped: TestServer;
let unthrottled: TestServer;
beforeAll(async () => {
  // TRUST_PROXY=loopback: the test picks its client address with X-Forwarded-For.
  server = await startTestServer({ env: { TRUST_PROXY: 'loopback', REGISTER_IP_MAX_PER_HOUR: '20', REGISTER_GLOBAL_MAX_PER_HOUR: '1000' } });
  globalCapped = await startTestServer({ env: { TRUST_PROXY: 'loopback', REGISTER_IP_MAX_PER_HOUR: '20', REGISTER_GLOBAL_MAX_PER_HOUR: '5' } });
  // The throttle out of the way, so a flood reaches argon2's queue (an attacker with more addresses than the throttle allows for).
  unthrottled = await startTestServer({ env: { TRUST_PROXY: 'loopback', REGISTER_IP_MAX_PER_HOUR: '100000', REGISTER_GLOBAL_MAX_PER_HOUR: '100000' } });
});
afterAll(async () => {
  await server?.close();
  await globalCapped?.close();
  await unthrottled?.close();
});

const from = (ip: string) => ({ headers: { 'x-forwarded-for': ip } });
const register = (target: TestServer, email: string, ip: string) => target.client().post('/api/auth/register', { email, password: STRONG_PASSWORD }, from(ip));

describe('registration throttle: REGISTER_IP_MAX_PER_HOUR per client IP, every attempt counted', () => {
  it('150 registrations from one IP (half of them taken emails) → 20 answered, then 429 RATE_LIMITED with retry_after', async () => {
    const ip = '198.51.100.10';
    const taken = uniqueEmail('taken');
    expect((await register(server, taken, '198.51.100.11')).status).toBe(201);

    const statuses: number[] = [];
    let firstRefusal: Awaited<ReturnType<typeof register>> | undefined;
    for (let i = 0; i < 150; i += 1) {
      const response = await register(server, i % 2 === 0 ? uniqueEmail('flood') : taken, ip);
      statuses.push(response.status);
      if (response.status === 429) firstRefusal ??= response;
    }
    expect(statuses.slice(0, 20).every((s) => s === 201 || s === 409)).toBe(true);
    expect(statuses.slice(0, 20).filter((s) => s === 409)).toHaveLength(10);
    expect(statuses.slice(20).every((s) => s === 429)).toBe(true);

    expect(firstRefusal!.body.error_code).toBe('RATE_LIMITED');
    expect(firstRefusal!.body.retry_after).toBeGreaterThan(0);
    expect(firstRefusal!.body.retry_after).toBeLessThanOrEqual(3600);
    expect(firstRefusal!.headers.get('retry-after')).toBe(String(firstRefusal!.body.retry_after));

    // Only the first refusal is a security event: a flood must not become a flood of writes.
    const events = await server.proofgate.database.query<{ details: Record<string, unknown> }>(
      "select details from security_events where type = 'limits.rate_limited' and details->>'limiter' = 'register_ip'",
    );
    expect(events).toHaveLength(1);

    // Another client is not affected.
    expect((await register(server, uniqueEmail('other'), '198.51.100.12')).status).toBe(201);
  });

  it('IPv6 clients are counted per /64: rotating addresses inside it does not reset the count', async () => {
    const statuses: number[] = [];
    for (let i = 1; i <= 21; i += 1) statuses.push((await register(server, uniqueEmail('v6'), `2001:db8:77:1::${i.toString(16)}`)).status);
    expect(statuses.slice(0, 20).every((s) => s === 201)).toBe(true);
    expect(statuses[20]).toBe(429);
    expect((await register(server, uniqueEmail('v6'), '2001:db8:77:2::1')).status).toBe(201);
  });

  it('malformed input is refused with its own error_code before the throttle, never a 500', async () => {
    const response = await server.client().post('/api/auth/register', { email: 'not-an-email', password: 1 }, from('198.51.100.10'));
    expect(response.status).toBe(400);
    expect(response.body.error_code).toBe('VALIDATION_FAILED');
  });
});

describe('registration throttle: REGISTER_GLOBAL_MAX_PER_HOUR across all clients', () => {
  it('refuses the attempt past the global cap, from a fresh address too', async () => {
    for (let i = 0; i < 5; i += 1) expect((await register(globalCapped, uniqueEmail('g'), `203.0.113.${i + 1}`)).status).toBe(201);
    const refused = await register(globalCapped, uniqueEmail('g'), '203.0.113.99');
    expect(refused.status).toBe(429);
    expect(refused.body.error_code).toBe('RATE_LIMITED');
    expect(refused.headers.get('retry-after')).toBe(String(refused.body.retry_after));
  });
});

describe('a taken email costs no argon2 hash', () => {
  it('answers 409 EMAIL_ALREADY_REGISTERED without queueing an argon2 job; a new email takes exactly one', async () => {
    const email = uniqueEmail('exists');
    expect((await register(server, email, '198.51.100.30')).status).toBe(201);

    const before = argon2Pool.stats().started;
    const again = await register(server, email, '198.51.100.31');
    expect(again.status).toBe(409);
    expect(again.body.error_code).toBe('EMAIL_ALREADY_REGISTERED');
    // Another spelling of the same mailbox is the same account, and is not hashed either.
    const shouted = await register(server, `  ${email.toUpperCase()} `, '198.51.100.31');
    expect(shouted.status).toBe(409);
    expect(argon2Pool.stats().started).toBe(before);

    expect((await register(server, uniqueEmail('fresh'), '198.51.100.31')).status).toBe(201);
    expect(argon2Pool.stats().started).toBe(before + 1);
  });

  it('two concurrent sign-ups for one email: one 201, one 409 (the unique index decides the race)', async () => {
    const email = uniqueEmail('race');
    const [a, b] = await Promise.all([register(server, email, '198.51.100.40'), register(server, email, '198.51.100.41')]);
    expect([a.status, b.status].sort()).toEqual([201, 409]);
    const rows = await server.proofgate.database.query('select 1 from users where email = $1', [email]);
    expect(rows).toHaveLength(1);
  });
});

describe('argon2 admission under a registration flood', () => {
  it('an address that overfills its own lane gets 503 SERVICE_UNAVAILABLE with Retry-After: 1, held back rather than answered at once; another address signs up meanwhile', async () => {
    const flooding = '198.51.100.50';
    // How many refusals the server is holding, sampled while the flood is answered.
    let mostHeld = 0;
    const sampler = setInterval(() => (mostHeld = Math.max(mostHeld, argon2Pool.stats().heldRefusals)), 5);
    // Far more at once than the lane holds (3 running, 16 waiting): the surplus is refused.
    const flood = Array.from({ length: 100 }, () => register(unthrottled, uniqueEmail('surge'), flooding));
    const other = await register(unthrottled, uniqueEmail('bystander'), '203.0.113.50');
    const answers = await Promise.all(flood);
    clearInterval(sampler);

    expect(other.status).toBe(201);
    expect(answers.every((response) => response.status === 201 || response.status === 503)).toBe(true);
    const refused = answers.filter((response) => response.status === 503);
    expect(refused.length).toBeGreaterThan(0);
    expect(answers.length - refused.length).toBeGreaterThanOrEqual(ARGON2_MAX_QUEUED_PER_CLIENT);
    for (const response of refused) {
      expect(response.body.error_code).toBe('SERVICE_UNAVAILABLE');
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(response.headers.get('retry-after')).toBe('1');
    }
    // Held, not answered at once (a client that re-sends on every refusal then sends once a
    // second), and every held refusal was answered in the end.
    expect(ARGON2_OVERFLOW_REFUSAL_DELAY_MS).toBe(1000);
    expect(mostHeld).toBeGreaterThan(0);
    expect(mostHeld).toBeLessThanOrEqual(refused.length);
    expect(argon2Pool.stats().heldRefusals).toBe(0);
  });
});
