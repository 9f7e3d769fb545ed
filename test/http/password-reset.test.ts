import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SmtpFake } from '../../tools/smtp-fake';
import type { HttpResponse } from '../support/http-client';
import { FAKE_SMTP_PASSWORD, flushMail, mailTo, resetTokenFor, smtpEnv, startSmtp, TEST_PUBLIC_URL } from '../support/smtp';
import { registerAndLogin, startTestServer, STRONG_PASSWORD, uniqueEmail, type TestServer } from '../support/test-server';
import { testDatabaseKind } from '../support/test-database';
import { enableTwoFactor, startTwoFactorLogin } from '../support/two-factor';

/**
 * Password reset over real SMTP: forgot answers alike for every email; the mailed link works
 * once, expires, dies with any password change, ends every session, and keeps 2FA required.
 */
const NEW_PASSWORD = 'a freshly chosen passphrase 77';
const RACE_ROUNDS = 15;

const redisEnv =
  testDatabaseKind() === 'postgres' && process.env.TEST_REDIS_URL
    ? { REDIS_URL: process.env.TEST_REDIS_URL, REDIS_KEY_PREFIX: `pgtest_${randomBytes(4).toString('hex')}` }
    : {};

let fake: SmtpFake;
let server: TestServer;

beforeAll(async () => {
  fake = await startSmtp();
  server = await startTestServer({ env: { ...smtpEnv(fake), PASSWORD_FORGOT_EMAIL_MAX_PER_HOUR: '1000', PASSWORD_FORGOT_IP_MAX_PER_HOUR: '100000', ...redisEnv } });
});
afterAll(async () => {
  await server?.close();
  await fake?.close();
});

const forgot = (email: string, client = server.client()) => client.post('/api/auth/password/forgot', { email });
const reset = (token: string, newPassword = NEW_PASSWORD) => server.client().post('/api/auth/password/reset', { token, new_password: newPassword });

describe('POST /api/auth/password/forgot', () => {
  it('answers the same 202 and body for an existing and an unknown email; only the account owner gets a mail', async () => {
    const { email } = await registerAndLogin(server);
    const unknown = uniqueEmail('nobody');
    const known = await forgot(email);
    const absent = await forgot(unknown);
    expect(known.status).toBe(202);
    expect(absent.status).toBe(202);
    expect(absent.text).toBe(known.text);
    expect(known.body).toEqual({ status: 'accepted', message: expect.any(String) });
    const headerNames = (r: HttpResponse) => [...r.headers.keys()].filter((h) => h !== 'date' && h !== 'x-request-id').sort();
    expect(headerNames(absent)).toEqual(headerNames(known));

    const mails = await mailTo(server, fake, email);
    const resetMail = mails.find((m) => m.subject.includes('Reset your password'))!;
    expect(resetMail.text).toMatch(new RegExp(`${TEST_PUBLIC_URL}/reset-password#token=[A-Za-z0-9_-]{43}`));
    expect(resetMail.html).toContain(`href="${TEST_PUBLIC_URL}/reset-password#token=`);
    expect(resetMail.text).toContain('expires in 30 minutes');
    expect(resetMail.raw).not.toContain(STRONG_PASSWORD);
    expect(resetMail.raw).not.toContain(FAKE_SMTP_PASSWORD);
    expect(fake.messages().some((m) => m.envelopeTo.includes(unknown))).toBe(false);
  });

  it('takes the same time for existing and unknown emails (many interleaved rounds, medians within noise)', async () => {
    const { email } = await registerAndLogin(server);
    const requestIds = { known: [] as string[], unknown: [] as string[] };
    for (let round = 0; round < 40; round += 1) {
      for (const kind of round % 2 === 0 ? (['known', 'unknown'] as const) : (['unknown', 'known'] as const)) {
        const response = await forgot(kind === 'known' ? email : uniqueEmail('nobody'));
        expect(response.status).toBe(202);
        requestIds[kind].push(response.headers.get('x-request-id')!);
        // The deferred lookup and mail of this request must not run into the next measurement.
        await flushMail(server);
      }
    }
    // The server's own time to answer (pino-http's duration_ms, request to last byte written):
    // the client, the SMTP fake and its MIME parser share this process, so a client-side clock
    // would also time the mail being parsed after the answer, which no remote caller can see.
    const durations = new Map<string, number>();
    for (const line of server.logs) {
      const entry = JSON.parse(line) as { request_id?: string; duration_ms?: number };
      if (entry.request_id && typeof entry.duration_ms === 'number') durations.set(entry.request_id, entry.duration_ms);
    }
    const median = (ids: string[]) => {
      const values = ids.map((id) => durations.get(id)!).sort((a, b) => a - b);
      expect(values.every((v) => typeof v === 'number')).toBe(true);
      return values[Math.floor(values.length / 2)]!;
    };
    const [known, unknown] = [median(requestIds.known), median(requestIds.unknown)];
    // Tolerant: sending the mail inside the request (SMTP round trip and the fake's MIME parsing,
    // tens of ms here) would stand out; whole-ms log granularity, the outbox poller and other
    // processes on a shared machine stay within 5 ms of the medians.
    expect(Math.abs(known - unknown), `median ms: known ${known}, unknown ${unknown}`).toBeLessThanOrEqual(Math.max(5, 0.5 * Math.min(known, unknown)));
  });

  it('is throttled per email, for unknown emails too', async () => {
    const limited = await startTestServer({ env: { ...smtpEnv(fake), PASSWORD_FORGOT_EMAIL_MAX_PER_HOUR: '2' } });
    try {
      for (const email of [uniqueEmail(), uniqueEmail('nobody')]) {
        expect((await limited.client().post('/api/auth/password/forgot', { email })).status).toBe(202);
        expect((await limited.client().post('/api/auth/password/forgot', { email })).status).toBe(202);
        const refused = await limited.client().post('/api/auth/password/forgot', { email });
        expect(refused.status).toBe(429);
        expect(refused.body.error_code).toBe('RATE_LIMITED');
        expect(refused.headers.get('content-type')).toContain('application/problem+json');
      }
    } finally {
      await limited.close();
    }
  });

  it('is throttled per IP across emails', async () => {
    const limited = await startTestServer({ env: { ...smtpEnv(fake), PASSWORD_FORGOT_IP_MAX_PER_HOUR: '3' } });
    try {
      for (let i = 0; i < 3; i += 1) expect((await limited.client().post('/api/auth/password/forgot', { email: uniqueEmail() })).status).toBe(202);
      expect((await limited.client().post('/api/auth/password/forgot', { email: uniqueEmail() })).body.error_code).toBe('RATE_LIMITED');
    } finally {
      await limited.close();
    }
  });

  it('refuses a malformed email with VALIDATION_FAILED', async () => {
    const response = await forgot('not-an-email');
    expect(response.status).toBe(400);
    expect(response.body.error_code).toBe('VALIDATION_FAILED');
  });
});

describe('POST /api/auth/password/reset', () => {
  it('works once: the new password signs in, every old session is gone, the token is then refused, and the owner is told', async () => {
    const { client, email } = await registerAndLogin(server);
    expect((await forgot(email)).status).toBe(202);
    const token = await resetTokenFor(server, fake, email);
    fake.clear();

    expect((await reset(token)).status).toBe(204);
    expect((await client.get('/api/auth/me')).status).toBe(401);
    expect((await server.client().post('/api/auth/login', { email, password: STRONG_PASSWORD })).status).toBe(401);
    expect((await server.client().post('/api/auth/login', { email, password: NEW_PASSWORD })).status).toBe(200);

    const again = await reset(token, 'yet another passphrase 99');
    expect(again.status).toBe(400);
    expect(again.body.error_code).toBe('RESET_TOKEN_INVALID');

    const notice = (await mailTo(server, fake, email)).find((m) => m.subject.includes('Your password was reset'))!;
    expect(notice.text).toContain('reset with a link');
    expect(notice.raw).not.toContain(NEW_PASSWORD);
    expect(notice.raw).not.toContain(token);
    expect(server.logs.join('\n')).not.toContain(token);
    expect(server.logs.join('\n')).not.toContain(FAKE_SMTP_PASSWORD);
  });

  it('expires after PASSWORD_RESET_TTL', async () => {
    const { email } = await registerAndLogin(server);
    await forgot(email);
    const token = await resetTokenFor(server, fake, email);
    server.clock.advanceSeconds(1801);
    const expired = await reset(token);
    expect(expired.status).toBe(400);
    expect(expired.body.error_code).toBe('RESET_TOKEN_EXPIRED');
    expect((await server.client().post('/api/auth/login', { email, password: STRONG_PASSWORD })).status).toBe(200);
  });

  it('is refused after the password was changed another way', async () => {
    const { client, email, password } = await registerAndLogin(server);
    await forgot(email);
    const token = await resetTokenFor(server, fake, email);
    expect((await client.post('/api/auth/password', { current_password: password, new_password: 'changed the usual way 123' })).status).toBe(200);
    const refused = await reset(token);
    expect(refused.body.error_code).toBe('RESET_TOKEN_INVALID');
  });

  it('applies the password policy and leaves the token usable after a refused password', async () => {
    const { email } = await registerAndLogin(server);
    await forgot(email);
    const token = await resetTokenFor(server, fake, email);
    expect((await reset(token, 'short')).body.error_code).toBe('PASSWORD_TOO_SHORT');
    expect((await reset(token, 'password1234')).body.error_code).toBe('PASSWORD_TOO_COMMON');
    expect((await reset(token)).status).toBe(204);
  });

  it('keeps two-factor: the next sign-in still needs the second factor, and a pending temp token dies', async () => {
    const { client, email } = await registerAndLogin(server);
    await enableTwoFactor(server, client);
    const pending = await startTwoFactorLogin(server, email);
    await forgot(email);
    const token = await resetTokenFor(server, fake, email);
    expect((await reset(token)).status).toBe(204);
    const login = await server.client().post('/api/auth/login', { email, password: NEW_PASSWORD });
    expect(login.body.requires_2fa).toBe(true);
    const stale = await pending.client.post('/api/auth/2fa/verify', { temp_token: pending.tempToken, code: '000000' });
    expect(stale.body.error_code).toBe('TEMP_TOKEN_INVALID');
  });

  it('refuses unknown and malformed tokens with a problem answer', async () => {
    for (const token of ['x', randomBytes(32).toString('base64url'), 'a'.repeat(200)]) {
      const response = await reset(token);
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(response.body.error_code).toBe('RESET_TOKEN_INVALID');
    }
    expect((await server.client().post('/api/auth/password/reset', { token: 'x' })).body.error_code).toBe('VALIDATION_FAILED');
  });

  it(`concurrent uses of one token: exactly one wins (${RACE_ROUNDS} rounds)`, async () => {
    let escapes = 0;
    for (let round = 0; round < RACE_ROUNDS; round += 1) {
      const { email } = await registerAndLogin(server);
      await forgot(email);
      const token = await resetTokenFor(server, fake, email);
      const passwords = [0, 1, 2].map((i) => `racing passphrase ${round} number ${i}`);
      const answers = await Promise.all(passwords.map((p) => reset(token, p)));
      const winners = answers.filter((a) => a.status === 204);
      expect(answers.filter((a) => a.status !== 204).every((a) => a.body.error_code === 'RESET_TOKEN_INVALID')).toBe(true);
      if (winners.length !== 1) escapes += 1;
      // The password that won is the one that works; the losers' do not.
      const works = await Promise.all(passwords.map(async (p) => (await server.client().post('/api/auth/login', { email, password: p })).status === 200));
      if (works.filter(Boolean).length !== 1 || works.findIndex(Boolean) !== answers.findIndex((a) => a.status === 204)) escapes += 1;
    }
    expect(escapes).toBe(0);
  });
});

describe('without SMTP', () => {
  it('forgot still answers 202, and no token or mail is stored', async () => {
    const bare = await startTestServer();
    try {
      const { email } = await registerAndLogin(bare);
      expect((await bare.client().post('/api/auth/password/forgot', { email })).status).toBe(202);
      await flushMail(bare);
      expect(await bare.proofgate.database.query('select * from mail_outbox')).toEqual([]);
      expect(await bare.proofgate.database.query('select * from password_reset_tokens')).toEqual([]);
    } finally {
      await bare.close();
    }
  });
});
