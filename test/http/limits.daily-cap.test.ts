import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock, useLinkedSystemClock } from '../support/fake-clock';
import { startTestServer, type TestServer } from '../support/test-server';
import { createTwoFactorUser, startTwoFactorLogin, totpNow, wrongTotpNow } from '../support/two-factor';

/**
 * The per-user daily cap (NIST 800-63B §5.2.2): short locks cannot be cycled forever, and
 * attempts the short lock refuses are not charged against the day. Fake clock, no sleeping.
 */
let server: TestServer;
let time: Awaited<ReturnType<typeof useLinkedSystemClock>>;

beforeAll(async () => {
  const clock = new FakeClock();
  time = await useLinkedSystemClock(clock);
  server = await startTestServer({
    clock,
    env: {
      TRUST_PROXY: 'loopback',
      TWO_FACTOR_TEMP_TOKEN_MAX_FAILURES: '100',
      TWO_FACTOR_USER_MAX_FAILURES: '10',
      TWO_FACTOR_USER_LOCK_SECONDS: '900',
      TWO_FACTOR_USER_DAILY_MAX_FAILURES: '25',
      TWO_FACTOR_IP_MAX_FAILURES: '1000',
    },
  });
});
afterAll(async () => {
  await server?.close();
  time?.restore();
});

const headers = { 'x-forwarded-for': '198.51.100.77' };

describe('second factor, per user per day: 25 failures, whatever the short locks do', () => {
  it('refused attempts during a short lock cost nothing; the 26th failure of the day locks until the day is over', async () => {
    const user = await createTwoFactorUser(server);
    const wrong = () => wrongTotpNow(server, user.secret);
    const attempt = async (tempToken: string, client: Awaited<ReturnType<typeof startTwoFactorLogin>>['client'], code: string) =>
      (await client.post('/api/auth/2fa/verify', { temp_token: tempToken, code }, { headers })).body;

    // Round 1: ten failures lock the account; twenty more attempts while locked are refused.
    let login = await startTwoFactorLogin(server, user.email);
    for (let i = 1; i <= 10; i += 1) expect((await attempt(login.tempToken, login.client, wrong())).error_code, `failure ${i}`).toBe('INVALID_CODE');
    for (let i = 1; i <= 20; i += 1) {
      const refused = await attempt(login.tempToken, login.client, wrong());
      expect(refused.error_code).toBe('TWO_FACTOR_LOCKED');
      expect(refused.retry_after).toBeGreaterThan(800);
    }

    // Round 2, after the short lock: ten more failures (20 of 25 for the day), locked again.
    time.advanceSeconds(901);
    login = await startTwoFactorLogin(server, user.email);
    for (let i = 11; i <= 20; i += 1) expect((await attempt(login.tempToken, login.client, wrong())).error_code, `failure ${i}`).toBe('INVALID_CODE');
    expect((await attempt(login.tempToken, login.client, wrong())).error_code).toBe('TWO_FACTOR_LOCKED');

    // Round 3: five failures reach the daily cap; the next attempt, even with the right code, is refused for the rest of the day.
    time.advanceSeconds(901);
    login = await startTwoFactorLogin(server, user.email);
    for (let i = 21; i <= 25; i += 1) expect((await attempt(login.tempToken, login.client, wrong())).error_code, `failure ${i}`).toBe('INVALID_CODE');
    const capped = await attempt(login.tempToken, login.client, totpNow(server, user.secret));
    expect(capped.error_code).toBe('TWO_FACTOR_LOCKED');
    expect(capped.retry_after).toBeGreaterThan(20 * 3600);

    const lockouts = await server.proofgate.database.query<{ details: { limiter: string } }>(
      "select details from security_events where user_id = $1 and type = 'limits.lockout' order by id",
      [user.userId],
    );
    expect(lockouts.map((e) => e.details.limiter)).toEqual(['2fa_user', '2fa_user', '2fa_user_day']);

    // A day later the right code signs in.
    time.advanceSeconds(24 * 3600);
    login = await startTwoFactorLogin(server, user.email);
    const ok = await login.client.post('/api/auth/2fa/verify', { temp_token: login.tempToken, code: totpNow(server, user.secret) }, { headers });
    expect(ok.status).toBe(200);
  });
});
