import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../src/server/lib/tokens';
import { generateTotpCode } from '../../src/server/twofactor/totp';
import { RACE_TIMEOUT_MS } from '../support/login-race';
import { testDatabaseKind } from '../support/test-database';
import { startTestServer, type TestServer } from '../support/test-server';
import { createTwoFactorUser, startTwoFactorLogin, totpNextStep, wrongTotpNow } from '../support/two-factor';

/**
 * The second login step's races, many rounds each, zero escapes. Without Redis the database
 * counts a temp token's attempts (one statement before the code, one completing it); with Redis
 * the token's shared stash counts them and hands over the credential, and one statement completes
 * the sign-in. Both are raced here, on PGlite and on PostgreSQL.
 */
const ROUNDS = 10;
const MAX_FAILURES = 3;

const variants: Array<{ name: string; env: Record<string, string> }> = [{ name: `${testDatabaseKind()}, attempts counted in the database`, env: {} }];
if (process.env.TEST_REDIS_URL) {
  variants.push({
    name: `${testDatabaseKind()} + Redis, attempts counted in the stash`,
    env: { REDIS_URL: process.env.TEST_REDIS_URL, REDIS_KEY_PREFIX: `pgtest_${randomBytes(4).toString('hex')}` },
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(variants)('$name', ({ env }) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({
      env: {
        ...env,
        TWO_FACTOR_TEMP_TOKEN_MAX_FAILURES: String(MAX_FAILURES),
        // The token's own limit is raced here; the account's and the address's stay out of the way.
        TWO_FACTOR_USER_MAX_FAILURES: '1000',
        TWO_FACTOR_USER_DAILY_MAX_FAILURES: '10000',
        TWO_FACTOR_IP_MAX_FAILURES: '100000',
        TWO_FACTOR_FRESH_SECONDS: String(24 * 3600),
      },
    });
  });
  afterAll(async () => {
    await server?.close();
  });

  const countRows = async (sql: string, params: unknown[]) => (await server.proofgate.database.query<{ n: number }>(sql, params))[0]!.n;
  const sessionsOf = (userId: string) => countRows('select count(*)::int as n from sessions where user_id = $1 and aal = 2', [userId]);

  it(`a right code hidden among 24 wrong ones, all at once, is evaluated only within the token's ${MAX_FAILURES} attempts (${ROUNDS} rounds)`, async () => {
    const user = await createTwoFactorUser(server);
    const escapes: string[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      const { tempToken } = await startTwoFactorLogin(server, user.email);
      const right = totpNextStep(server, user.secret);
      const wrong = wrongTotpNow(server, user.secret);
      const rightAt = Math.floor(Math.random() * 25);
      const sessionsBefore = await sessionsOf(user.userId);
      const responses = await Promise.all(
        Array.from({ length: 25 }, (_, i) => server.client().post('/api/auth/2fa/verify', { temp_token: tempToken, code: i === rightAt ? right : wrong })),
      );
      const codes = responses.map((r) => (r.status === 200 ? 'OK' : (r.body.error_code as string)));
      const evaluated = codes.filter((c) => c === 'OK' || c === 'INVALID_CODE').length;
      const signedIn = codes.filter((c) => c === 'OK').length;
      if (evaluated > MAX_FAILURES) escapes.push(`round ${round}: ${evaluated} codes evaluated`);
      if (codes.some((c) => !['OK', 'INVALID_CODE', 'TEMP_TOKEN_INVALID'].includes(c))) escapes.push(`round ${round}: ${codes.join(',')}`);
      if ((await sessionsOf(user.userId)) !== sessionsBefore + signedIn) escapes.push(`round ${round}: sessions do not match the answers`);
      const failed = await countRows('select failed_attempts as n from two_factor_challenges where user_id = $1 order by created_at desc limit 1', [user.userId]);
      if (failed > MAX_FAILURES) escapes.push(`round ${round}: the token counts ${failed} failures`);
    }
    expect(escapes).toEqual([]);
  }, RACE_TIMEOUT_MS);

  it(`one valid code sent eight times at once opens one session and writes one pair of audit rows (${ROUNDS} rounds)`, async () => {
    const user = await createTwoFactorUser(server);
    const escapes: string[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      const { client, tempToken } = await startTwoFactorLogin(server, user.email);
      const code = totpNextStep(server, user.secret);
      const sessionsBefore = await sessionsOf(user.userId);
      const responses = await Promise.all(Array.from({ length: 8 }, () => client.fresh().post('/api/auth/2fa/verify', { temp_token: tempToken, code })));
      const winners = responses.filter((r) => r.status === 200);
      if (winners.length !== 1) escapes.push(`round ${round}: ${winners.length} sessions`);
      for (const loser of responses.filter((r) => r.status !== 200)) {
        if (!['CODE_ALREADY_USED', 'TEMP_TOKEN_INVALID'].includes(loser.body.error_code)) escapes.push(`round ${round}: ${loser.status} ${loser.text}`);
      }
      if ((await sessionsOf(user.userId)) !== sessionsBefore + 1) escapes.push(`round ${round}: sessions do not match the answers`);
      const audited = await countRows(
        "select count(*)::int as n from security_events where request_id = any($1) and type in ('2fa.verify.succeeded', 'auth.login.succeeded')",
        [responses.map((r) => r.headers.get('x-request-id'))],
      );
      if (audited !== 2) escapes.push(`round ${round}: ${audited} success rows`);
      const reused = await client.fresh().post('/api/auth/2fa/verify', { temp_token: tempToken, code });
      if (reused.body.error_code !== 'TEMP_TOKEN_INVALID') escapes.push(`round ${round}: the used token answered ${reused.status}`);
    }
    expect(escapes).toEqual([]);
  }, RACE_TIMEOUT_MS);

  it.skipIf(!env.REDIS_URL)('a token whose stash was lost (evicted, Redis restarted) is refused without a guess: sign in again', async () => {
    const user = await createTwoFactorUser(server);
    const { client, tempToken } = await startTwoFactorLogin(server, user.email);
    const redis = new Redis(env.REDIS_URL!);
    try {
      expect(await redis.del(`${env.REDIS_KEY_PREFIX}:stash:2fa_challenge:${hashToken(tempToken)}`)).toBe(1);
    } finally {
      redis.disconnect();
    }
    const verify = await client.post('/api/auth/2fa/verify', { temp_token: tempToken, code: totpNextStep(server, user.secret) });
    expect(verify.status).toBe(401);
    expect(verify.body.error_code).toBe('TEMP_TOKEN_INVALID');
    expect(await sessionsOf(user.userId)).toBe(0);
    const again = await startTwoFactorLogin(server, user.email);
    const code = totpNextStep(server, user.secret);
    expect((await again.client.post('/api/auth/2fa/verify', { temp_token: again.tempToken, code })).status).toBe(200);
  });

  it(`a verify racing a change of factors leaves no session of the old factors alive (${ROUNDS} rounds)`, async () => {
    const user = await createTwoFactorUser(server);
    const owner = await startTwoFactorLogin(server, user.email);
    expect((await owner.client.post('/api/auth/2fa/verify', { temp_token: owner.tempToken, code: totpNextStep(server, user.secret) })).status).toBe(200);
    let backupCodes = user.backupCodes;
    const escapes: string[] = [];
    const outcomes = new Set<string>();
    for (let round = 0; round < ROUNDS; round += 1) {
      const attacker = await startTwoFactorLogin(server, user.email);
      // The next step's code: the owner's last sign-in burnt this one.
      const code = generateTotpCode(user.secret, server.clock.nowMs() + 30_000);
      server.clock.advanceSeconds(30);
      // The owner's change hashes ten new backup codes before it moves the epoch: the verify
      // lands anywhere from well before to just after that.
      const [changed, verify] = await Promise.all([
        owner.client.post('/api/auth/2fa/backup-codes/regenerate', { backup_code: backupCodes[round]! }),
        sleep(Math.random() * 400).then(() => attacker.client.post('/api/auth/2fa/verify', { temp_token: attacker.tempToken, code })),
      ]);
      expect(changed.status, changed.text).toBe(200);
      backupCodes = changed.body.backup_codes as string[];
      outcomes.add(verify.status === 200 ? 'signed in before the change' : String(verify.body.error_code));
      if (verify.status >= 500) escapes.push(`round ${round}: verify → ${verify.status}`);
      if (verify.status === 200 && (await attacker.client.get('/api/auth/me')).status !== 401) escapes.push(`round ${round}: the attacker's session outlived the change`);
      if ((await owner.client.get('/api/auth/me')).status !== 200) escapes.push(`round ${round}: the owner lost the session`);
    }
    expect(escapes).toEqual([]);
    expect([...outcomes].every((o) => ['signed in before the change', 'TEMP_TOKEN_INVALID'].includes(o)), [...outcomes].join(', ')).toBe(true);
  }, RACE_TIMEOUT_MS);
});
