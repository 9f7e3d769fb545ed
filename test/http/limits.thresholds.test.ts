import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock, useLinkedSystemClock } from '../support/fake-clock';
import { startTestServer, STRONG_PASSWORD, uniqueEmail, type TestServer } from '../support/test-server';
import { createTwoFactorUser, startTwoFactorLogin, totpNextStep, totpNow, wrongTotpNow } from '../support/two-factor';

/** Every limit at exactly its threshold, with a fake clock: no sleeping. */
let server: TestServer;
let time: Awaited<ReturnType<typeof useLinkedSystemClock>>;

beforeAll(async () => {
  const clock = new FakeClock();
  time = await useLinkedSystemClock(clock);
  server = await startTestServer({
    clock,
    env: {
      TRUST_PROXY: 'loopback',
      TWO_FACTOR_TEMP_TOKEN_MAX_FAILURES: '50',
      TWO_FACTOR_USER_MAX_FAILURES: '10',
      TWO_FACTOR_USER_LOCK_SECONDS: '900',
      TWO_FACTOR_IP_MAX_FAILURES: '30',
      TWO_FACTOR_IP_WINDOW_SECONDS: '900',
      LOGIN_IP_EMAIL_MAX_FAILURES: '5',
      LOGIN_IP_MAX_FAILURES: '12',
      LOGIN_EMAIL_MAX_FAILURES: '8',
      LOGIN_EMAIL_WINDOW_SECONDS: '3600',
      LOGIN_DEVICE_MAX_FAILURES: '5',
    },
  });
});
afterAll(async () => {
  await server?.close();
  time?.restore();
});

let ipCounter = 0;
/** A fresh client address per test (TRUST_PROXY=loopback lets the test server read X-Forwarded-For). */
function freshIp() {
  ipCounter += 1;
  return { 'x-forwarded-for': `198.51.100.${ipCounter}` };
}
let headers: Record<string, string>;
afterEach(() => {
  headers = freshIp();
});
headers = freshIp();

describe('second factor, per user: 10 consecutive failures → TWO_FACTOR_LOCKED for 15 minutes', () => {
  it('locks at exactly the threshold, counts retry_after down, refuses a correct code while locked, lifts after the window', async () => {
    const user = await createTwoFactorUser(server);
    const { client, tempToken } = await startTwoFactorLogin(server, user.email);
    time.advanceSeconds(30);
    for (let i = 1; i <= 10; i += 1) {
      const wrong = await client.post('/api/auth/2fa/verify', { temp_token: tempToken, code: wrongTotpNow(server, user.secret) }, { headers });
      expect(wrong.body.error_code, `attempt ${i}`).toBe('INVALID_CODE');
    }
    const locked = await client.post('/api/auth/2fa/verify', { temp_token: tempToken, code: totpNow(server, user.secret) }, { headers });
    expect(locked.status).toBe(429);
    expect(locked.body.error_code).toBe('TWO_FACTOR_LOCKED');
    expect(locked.body.retry_after).toBe(900);
    expect(locked.headers.get('retry-after')).toBe('900');

    time.advanceSeconds(300);
    // The first temp token has expired by now (TTL 300 s); the lock outlives it.
    const relogin = await startTwoFactorLogin(server, user.email);
    const later = await relogin.client.post('/api/auth/2fa/verify', { temp_token: relogin.tempToken, code: totpNow(server, user.secret) }, { headers });
    expect(later.body.error_code).toBe('TWO_FACTOR_LOCKED');
    expect(later.body.retry_after).toBe(600);

    time.advanceSeconds(601);
    const { client: again, tempToken: token2 } = await startTwoFactorLogin(server, user.email);
    const ok = await again.post('/api/auth/2fa/verify', { temp_token: token2, code: totpNow(server, user.secret) }, { headers });
    expect(ok.status).toBe(200);

    const events = await server.proofgate.database.query<{ type: string; details: Record<string, unknown> }>(
      "select type, details from security_events where user_id = $1 and type = 'limits.lockout'",
      [user.userId],
    );
    expect(events).toHaveLength(1);
    expect(events[0]!.details).toMatchObject({ limiter: '2fa_user', retry_after: 900 });
  });

  it('a success resets the per-user counter', async () => {
    const user = await createTwoFactorUser(server);
    const first = await startTwoFactorLogin(server, user.email);
    for (let i = 0; i < 9; i += 1) {
      await first.client.post('/api/auth/2fa/verify', { temp_token: first.tempToken, code: wrongTotpNow(server, user.secret) }, { headers });
    }
    const ok = await first.client.post('/api/auth/2fa/verify', { temp_token: first.tempToken, code: totpNextStep(server, user.secret) }, { headers });
    expect(ok.status).toBe(200);
    const second = await startTwoFactorLogin(server, user.email);
    for (let i = 0; i < 10; i += 1) {
      const wrong = await second.client.post('/api/auth/2fa/verify', { temp_token: second.tempToken, code: wrongTotpNow(server, user.secret) }, { headers });
      expect(wrong.body.error_code).toBe('INVALID_CODE');
    }
  });

  it('confirm, disable and regenerate count against the same per-user limit', async () => {
    const user = await createTwoFactorUser(server);
    const { client, tempToken } = await startTwoFactorLogin(server, user.email);
    await client.post('/api/auth/2fa/verify', { temp_token: tempToken, code: totpNextStep(server, user.secret) }, { headers });
    for (let i = 0; i < 5; i += 1) {
      expect((await client.post('/api/auth/2fa/disable', { code: wrongTotpNow(server, user.secret) }, { headers })).body.error_code).toBe('INVALID_CODE');
      expect((await client.post('/api/auth/2fa/backup-codes/regenerate', { code: wrongTotpNow(server, user.secret) }, { headers })).body.error_code).toBe(
        'INVALID_CODE',
      );
    }
    const locked = await client.post('/api/auth/2fa/disable', { code: totpNextStep(server, user.secret) }, { headers });
    expect(locked.status).toBe(429);
    expect(locked.body.error_code).toBe('TWO_FACTOR_LOCKED');
  });
});

describe('second factor, per IP: 30 failures per 15 minutes → RATE_LIMITED', () => {
  it('limits one address across many accounts, and IPv6 addresses share their /64', async () => {
    const users = await Promise.all([createTwoFactorUser(server), createTwoFactorUser(server), createTwoFactorUser(server), createTwoFactorUser(server)]);
    const sameSlash64 = (i: number) => ({ 'x-forwarded-for': `2001:db8:aa:bb::${(i + 1).toString(16)}` });
    let attempts = 0;
    for (const user of users) {
      const { client, tempToken } = await startTwoFactorLogin(server, user.email);
      for (let i = 0; i < 8 && attempts < 30; i += 1, attempts += 1) {
        const wrong = await client.post('/api/auth/2fa/verify', { temp_token: tempToken, code: wrongTotpNow(server, user.secret) }, { headers: sameSlash64(attempts) });
        expect(wrong.body.error_code).toBe('INVALID_CODE');
      }
    }
    expect(attempts).toBe(30);
    const user = users[0]!;
    const { client, tempToken } = await startTwoFactorLogin(server, user.email);
    const limited = await client.post('/api/auth/2fa/verify', { temp_token: tempToken, code: totpNextStep(server, user.secret) }, { headers: sameSlash64(999) });
    expect(limited.status).toBe(429);
    expect(limited.body.error_code).toBe('RATE_LIMITED');
    expect(limited.body.retry_after).toBeGreaterThanOrEqual(1);
    expect(limited.headers.get('retry-after')).toBe(String(limited.body.retry_after));

    const otherPrefix = await client.post(
      '/api/auth/2fa/verify',
      { temp_token: tempToken, code: totpNow(server, user.secret) },
      { headers: { 'x-forwarded-for': '2001:db8:aa:bc::1' } },
    );
    expect(otherPrefix.status).toBe(200);
  });

  it('an unknown or malformed temp token costs its address a point too, and a refused address spends none of the account budget', async () => {
    for (let i = 0; i < 30; i += 1) {
      const token = i % 2 === 0 ? 'not-a-token' : 'A'.repeat(43);
      const guess = await server.client().post('/api/auth/2fa/verify', { temp_token: token, code: '123456' }, { headers });
      expect(guess.body.error_code, `guess ${i}`).toBe('TEMP_TOKEN_INVALID');
    }
    const user = await createTwoFactorUser(server);
    const { client, tempToken } = await startTwoFactorLogin(server, user.email);
    for (let i = 0; i < 12; i += 1) {
      const refused = await client.post('/api/auth/2fa/verify', { temp_token: tempToken, code: wrongTotpNow(server, user.secret) }, { headers });
      expect(refused.body.error_code).toBe('RATE_LIMITED');
    }
    // Twelve refusals at the address, and still no per-user failure counted: from elsewhere the account is not locked.
    time.advanceSeconds(30);
    const elsewhere = await client.post('/api/auth/2fa/verify', { temp_token: tempToken, code: totpNow(server, user.secret) }, { headers: freshIp() });
    expect(elsewhere.status).toBe(200);
  });
});

describe('login throttles', () => {
  it('per (IP, email): the 6th wrong password from one address is RATE_LIMITED, even with the right password', async () => {
    const email = uniqueEmail('login-ip-email');
    await server.client().post('/api/auth/register', { email, password: STRONG_PASSWORD });
    for (let i = 0; i < 5; i += 1) {
      const wrong = await server.client().post('/api/auth/login', { email, password: 'not-the-password-1' }, { headers });
      expect(wrong.body.error_code).toBe('INVALID_CREDENTIALS');
    }
    const limited = await server.client().post('/api/auth/login', { email, password: STRONG_PASSWORD }, { headers });
    expect(limited.status).toBe(429);
    expect(limited.body.error_code).toBe('RATE_LIMITED');
    expect(limited.body.retry_after).toBeGreaterThan(0);
    time.advanceSeconds(901);
    const ok = await server.client().post('/api/auth/login', { email, password: STRONG_PASSWORD }, { headers });
    expect(ok.status).toBe(200);
  });

  it('per IP: credential stuffing across many emails from one address is RATE_LIMITED at the threshold', async () => {
    for (let i = 0; i < 12; i += 1) {
      const wrong = await server.client().post('/api/auth/login', { email: uniqueEmail('stuffing'), password: 'stuffed-password-1' }, { headers });
      expect(wrong.body.error_code).toBe('INVALID_CREDENTIALS');
    }
    const limited = await server.client().post('/api/auth/login', { email: uniqueEmail('stuffing'), password: 'stuffed-password-1' }, { headers });
    expect(limited.body.error_code).toBe('RATE_LIMITED');
  });

  it('per email from many addresses: slows the attacker, but the victim still signs in from a known device', async () => {
    const email = uniqueEmail('victim');
    const victim = server.client();
    await victim.post('/api/auth/register', { email, password: STRONG_PASSWORD });
    const victimHeaders = freshIp();
    expect((await victim.post('/api/auth/login', { email, password: STRONG_PASSWORD }, { headers: victimHeaders })).status).toBe(200);
    await victim.post('/api/auth/logout', undefined, { headers: victimHeaders });
    expect(victim.cookies.get('proofgate_device')).toBeDefined();

    for (let i = 0; i < 8; i += 1) {
      const wrong = await server.client().post('/api/auth/login', { email, password: 'guess-number-' + i }, { headers: freshIp() });
      expect(wrong.body.error_code).toBe('INVALID_CREDENTIALS');
    }
    const attacker = await server.client().post('/api/auth/login', { email, password: 'guess-number-x' }, { headers: freshIp() });
    expect(attacker.body.error_code).toBe('RATE_LIMITED');
    const newBrowser = await server.client().post('/api/auth/login', { email, password: STRONG_PASSWORD }, { headers: freshIp() });
    expect(newBrowser.body.error_code).toBe('RATE_LIMITED');

    const known = await victim.post('/api/auth/login', { email, password: STRONG_PASSWORD }, { headers: victimHeaders });
    expect(known.status).toBe(200);

    // A device cookie minted for another account does not count for this one.
    const other = server.client();
    const otherEmail = uniqueEmail('other');
    await other.post('/api/auth/register', { email: otherEmail, password: STRONG_PASSWORD });
    await other.post('/api/auth/login', { email: otherEmail, password: STRONG_PASSWORD }, { headers: freshIp() });
    const borrowed = await other.post('/api/auth/login', { email, password: STRONG_PASSWORD }, { headers: freshIp() });
    expect(borrowed.body.error_code).toBe('RATE_LIMITED');

    time.advanceSeconds(3601);
    expect((await server.client().post('/api/auth/login', { email, password: STRONG_PASSWORD }, { headers: freshIp() })).status).toBe(200);
  });
});
