import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SmtpFake } from '../../tools/smtp-fake';
import { RACE_THROTTLE_ENV, RACE_TIMEOUT_MS, redisLimiterEnv } from '../support/login-race';
import { flushMail, mailTo, smtpEnv, startSmtp } from '../support/smtp';
import { registerAndLogin, startTestServer, STRONG_PASSWORD, type TestServer } from '../support/test-server';

/**
 * MAIL_NOTICES_ACCOUNT_MAX_PER_HOUR is an exact bound, not "the budget plus whatever raced for
 * its last place": notices for one account queued at the same instant, on two instances of one
 * database, never add up to more than the budget. Many rounds, zero escapes.
 */

const ROUNDS = 10;
const RACERS = 16;
const PER_HOUR = 3;

let fake: SmtpFake;
let a: TestServer;
let b: TestServer;

beforeAll(async () => {
  fake = await startSmtp();
  const env = { ...RACE_THROTTLE_ENV, ...smtpEnv(fake), MAIL_NOTICES_ACCOUNT_MAX_PER_HOUR: String(PER_HOUR), ...redisLimiterEnv() };
  a = await startTestServer({ env });
  // A second instance on the same database: the bound must hold across instances, not per process.
  b = await startTestServer({ env, database: a.database, clock: a.clock });
});
afterAll(async () => {
  await b?.close();
  await a?.close();
  await fake?.close();
});

async function queuedNotices(userId: string): Promise<number> {
  const rows = await a.proofgate.database.query<{ n: number }>('select count(*)::int as n from mail_outbox where user_id = $1', [userId]);
  return rows[0]!.n;
}

describe('the hourly notice budget under racing notices', () => {
  it(`queues exactly the budget when ${RACERS} notices for one account race on two instances (${ROUNDS} rounds, zero escapes)`, { timeout: RACE_TIMEOUT_MS }, async () => {
    const escapes: string[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      // registerAndLogin's own sign-in is the account's first "new browser" notice: racers get the rest.
      const { userId } = await registerAndLogin(a);
      await flushMail(a);
      const racing = Array.from({ length: RACERS }, (_, i) => (i % 2 === 0 ? a : b).proofgate.services.mail.notices.notify(userId, 'new_device_sign_in', undefined));
      await Promise.all(racing);
      const queued = await queuedNotices(userId);
      if (queued !== PER_HOUR) escapes.push(`round ${round}: ${queued} notices queued, budget ${PER_HOUR}`);
    }
    expect(escapes).toEqual([]);
  });

  it('the same bound holds for sign-ins from new browsers racing over HTTP, and each one still answers 200', { timeout: RACE_TIMEOUT_MS }, async () => {
    const { email, userId } = await registerAndLogin(a);
    const logins = await Promise.all(
      Array.from({ length: RACERS }, (_, i) => (i % 2 === 0 ? a : b).client().post('/api/auth/login', { email, password: STRONG_PASSWORD })),
    );
    expect(logins.map((login) => login.status)).toEqual(Array(RACERS).fill(200));
    await flushMail(b);
    expect(await queuedNotices(userId)).toBe(PER_HOUR);
    expect((await mailTo(a, fake, email)).length).toBe(PER_HOUR);
  });
});
