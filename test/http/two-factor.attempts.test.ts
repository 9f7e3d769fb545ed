import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../src/server/lib/tokens';
import { registerAndLogin, startTestServer, type TestServer } from '../support/test-server';
import { redisLimiterEnv } from '../support/login-race';
import { createTwoFactorUser, enableTwoFactor, startTwoFactorLogin, totpNextStep, totpNow, wrongTotpNow } from '../support/two-factor';

/**
 * What a refused second factor tells the person: how many tries are left, that the account is
 * locked at the very refusal that locks it (and for how long), that a backup code belongs to a
 * replaced set, and that "last used" means used, not turned on.
 */
let server: TestServer;
let ipCounter = 0;
/** A fresh client address per test, so the per-IP throttle never joins in. */
function freshHeaders() {
  ipCounter += 1;
  return { 'x-forwarded-for': `203.0.113.${ipCounter}` };
}

const limiterEnv = redisLimiterEnv();
beforeAll(async () => {
  server = await startTestServer({ env: { TWO_FACTOR_TEMP_TOKEN_MAX_FAILURES: '20', TRUST_PROXY: 'loopback', ...limiterEnv } });
});
afterAll(async () => {
  await server?.close();
});

describe('a refused code says how many tries are left, and the last one says locked', () => {
  it('counts down 9…0, locks at the 10th wrong code with locked_for_seconds, then refuses with TWO_FACTOR_LOCKED', async () => {
    const headers = freshHeaders();
    const user = await createTwoFactorUser(server);
    const { client, tempToken } = await startTwoFactorLogin(server, user.email);
    for (let i = 1; i <= 10; i += 1) {
      const wrong = await client.post('/api/auth/2fa/verify', { temp_token: tempToken, code: wrongTotpNow(server, user.secret) }, { headers });
      expect(wrong.status).toBe(400);
      expect(wrong.body.error_code).toBe('INVALID_CODE');
      expect(wrong.body.attempts_remaining, `attempt ${i}`).toBe(10 - i);
      if (i < 10) expect(wrong.body.locked_for_seconds).toBeUndefined();
      else expect(wrong.body.locked_for_seconds).toBe(900);
    }
    const locked = await client.post('/api/auth/2fa/verify', { temp_token: tempToken, code: totpNow(server, user.secret) }, { headers });
    expect(locked.status).toBe(429);
    expect(locked.body.error_code).toBe('TWO_FACTOR_LOCKED');
    expect(locked.body.retry_after).toBeGreaterThanOrEqual(899);

    // One lock, audited once, although it was engaged at the 10th refusal.
    const lockouts = await server.proofgate.database.query<{ details: { limiter: string } }>(
      "select details from security_events where user_id = $1 and type = 'limits.lockout'",
      [user.userId],
    );
    expect(lockouts.map((e) => e.details.limiter)).toEqual(['2fa_user']);
  });

  it('a temp token with fewer tries left than the account reports its own count, without a lock', async () => {
    const custom = await startTestServer({ env: { TWO_FACTOR_TEMP_TOKEN_MAX_FAILURES: '3', ...redisLimiterEnv() } });
    try {
      const user = await createTwoFactorUser(custom);
      const { client, tempToken } = await startTwoFactorLogin(custom, user.email);
      const remaining: unknown[] = [];
      for (let i = 0; i < 3; i += 1) {
        const wrong = await client.post('/api/auth/2fa/verify', { temp_token: tempToken, code: wrongTotpNow(custom, user.secret) });
        expect(wrong.body.error_code).toBe('INVALID_CODE');
        expect(wrong.body.locked_for_seconds).toBeUndefined();
        remaining.push(wrong.body.attempts_remaining);
      }
      expect(remaining).toEqual([2, 1, 0]);
      const dead = await client.post('/api/auth/2fa/verify', { temp_token: tempToken, code: totpNow(custom, user.secret) });
      expect(dead.body.error_code).toBe('TEMP_TOKEN_INVALID');
    } finally {
      await custom.close();
    }
  });

  it('a temp token refused as a token (used, or its stash unreadable) costs the account none of its tries', async () => {
    const user = await createTwoFactorUser(server);
    const used = await startTwoFactorLogin(server, user.email);
    expect((await used.client.post('/api/auth/2fa/verify', { temp_token: used.tempToken, code: totpNextStep(server, user.secret) })).status).toBe(200);
    const refusals: unknown[] = [];
    // More than the account's ten tries: were any of these counted against it, it would be locked.
    let headers = freshHeaders();
    for (let i = 0; i < 12; i += 1) {
      const again = await used.client.post('/api/auth/2fa/verify', { temp_token: used.tempToken, code: wrongTotpNow(server, user.secret) }, { headers });
      refusals.push(again.body.error_code);
    }
    if (limiterEnv.REDIS_URL) {
      // A stash this version cannot read: the script has charged the account with the attempt, so it must give it back.
      const { client, tempToken } = await startTwoFactorLogin(server, user.email);
      const redis = new Redis(limiterEnv.REDIS_URL);
      try {
        await redis.hset(`${limiterEnv.REDIS_KEY_PREFIX}:stash:2fa_challenge:${hashToken(tempToken)}`, 'v', 'not a stash');
      } finally {
        redis.disconnect();
      }
      headers = freshHeaders();
      for (let i = 0; i < 12; i += 1) {
        const unreadable = await client.post('/api/auth/2fa/verify', { temp_token: tempToken, code: wrongTotpNow(server, user.secret) }, { headers });
        refusals.push(unreadable.body.error_code);
      }
    }
    expect(new Set(refusals)).toEqual(new Set(['TEMP_TOKEN_INVALID']));
    const fresh = await startTwoFactorLogin(server, user.email);
    const wrong = await fresh.client.post('/api/auth/2fa/verify', { temp_token: fresh.tempToken, code: wrongTotpNow(server, user.secret) }, { headers: freshHeaders() });
    expect(wrong.body.error_code).toBe('INVALID_CODE');
    expect(wrong.body.attempts_remaining).toBe(9);
  });

  it('a success gives the account its tries back and, with Redis, removes its token’s stash', async () => {
    const user = await createTwoFactorUser(server);
    const { client, tempToken } = await startTwoFactorLogin(server, user.email);
    const headers = freshHeaders();
    for (let i = 0; i < 3; i += 1) {
      const wrong = await client.post('/api/auth/2fa/verify', { temp_token: tempToken, code: wrongTotpNow(server, user.secret) }, { headers });
      expect(wrong.body.attempts_remaining).toBe(9 - i);
    }
    const stashKey = `${limiterEnv.REDIS_KEY_PREFIX}:stash:2fa_challenge:${hashToken(tempToken)}`;
    const redis = limiterEnv.REDIS_URL ? new Redis(limiterEnv.REDIS_URL) : undefined;
    try {
      if (redis) expect(await redis.exists(stashKey)).toBe(1);
      expect((await client.post('/api/auth/2fa/verify', { temp_token: tempToken, code: totpNextStep(server, user.secret) }, { headers })).status).toBe(200);
      if (redis) expect(await redis.exists(stashKey)).toBe(0);
    } finally {
      redis?.disconnect();
    }
    // The short lock counts consecutive failures: the success cleared it, so the next wrong code has nine left again.
    const fresh = await startTwoFactorLogin(server, user.email);
    const wrong = await fresh.client.post('/api/auth/2fa/verify', { temp_token: fresh.tempToken, code: wrongTotpNow(server, user.secret) }, { headers: freshHeaders() });
    expect(wrong.body).toMatchObject({ error_code: 'INVALID_CODE', attempts_remaining: 9 });
  });

  it('disable and regenerate report tries left too', async () => {
    const headers = freshHeaders();
    const { client } = await registerAndLogin(server);
    const { secret } = await enableTwoFactor(server, client);
    const first = await client.post('/api/auth/2fa/disable', { code: wrongTotpNow(server, secret) }, { headers });
    expect(first.body).toMatchObject({ error_code: 'INVALID_CODE', attempts_remaining: 9 });
    const second = await client.post('/api/auth/2fa/backup-codes/regenerate', { code: wrongTotpNow(server, secret) }, { headers });
    expect(second.body).toMatchObject({ error_code: 'INVALID_CODE', attempts_remaining: 8 });
  });
});

describe('a backup code from a replaced set', () => {
  it('is answered BACKUP_CODE_REPLACED (a counted failure); the new set works; a set older than the last is just not correct', async () => {
    const headers = freshHeaders();
    const { client, email, userId } = await registerAndLogin(server);
    const { secret, backupCodes: firstSet } = await enableTwoFactor(server, client);
    const regenerated = await client.post('/api/auth/2fa/backup-codes/regenerate', { code: totpNextStep(server, secret) }, { headers });
    expect(regenerated.status).toBe(200);
    const secondSet = regenerated.body.backup_codes as string[];
    await client.post('/api/auth/logout');

    const login = await startTwoFactorLogin(server, email);
    const old = await login.client.post('/api/auth/2fa/verify', { temp_token: login.tempToken, backup_code: firstSet[0] }, { headers });
    expect(old.status).toBe(400);
    expect(old.body.error_code).toBe('BACKUP_CODE_REPLACED');
    expect(old.body.attempts_remaining).toBe(9);
    expect(JSON.stringify(old.body)).not.toContain(firstSet[0]!);

    // Same selector, different secret part: only "not correct", nothing about the old set.
    const [selector] = firstSet[1]!.split('-');
    const forged = await login.client.post(
      '/api/auth/2fa/verify',
      { temp_token: login.tempToken, backup_code: `${selector}-00000-00000` },
      { headers },
    );
    expect(forged.body.error_code).toBe('INVALID_CODE');

    const ok = await login.client.post('/api/auth/2fa/verify', { temp_token: login.tempToken, backup_code: secondSet[0] }, { headers });
    expect(ok.status).toBe(200);

    const again = await login.client.post('/api/auth/2fa/backup-codes/regenerate', { code: totpNextStep(server, secret) }, { headers });
    expect(again.status).toBe(200);
    const disable = await login.client.post('/api/auth/2fa/disable', { backup_code: firstSet[2] }, { headers });
    expect(disable.body.error_code).toBe('INVALID_CODE');
    const replacedNow = await login.client.post('/api/auth/2fa/disable', { backup_code: secondSet[1] }, { headers });
    expect(replacedNow.body.error_code).toBe('BACKUP_CODE_REPLACED');

    const events = await server.proofgate.database.query<{ details: Record<string, unknown> }>(
      "select details from security_events where user_id = $1 and type = '2fa.verify.failed' order by id",
      [userId],
    );
    expect(events.map((e) => e.details.reason)).toEqual(['replaced_code', 'invalid_code', 'invalid_code', 'replaced_code']);
  });

  it('turning two-factor off forgets the replaced set', async () => {
    const headers = freshHeaders();
    const { client, userId } = await registerAndLogin(server);
    const { secret, backupCodes: firstSet } = await enableTwoFactor(server, client);
    await client.post('/api/auth/2fa/backup-codes/regenerate', { code: totpNextStep(server, secret) }, { headers });
    const kept = () =>
      server.proofgate.database.query<{ n: number }>('select count(*)::int as n from two_factor_replaced_backup_codes where user_id = $1', [userId]);
    expect((await kept())[0]!.n).toBe(10);
    expect((await client.post('/api/auth/2fa/disable', { code: totpNextStep(server, secret) }, { headers })).status).toBe(200);
    expect((await kept())[0]!.n).toBe(0);
    await enableTwoFactor(server, client);
    const old = await client.post('/api/auth/2fa/disable', { backup_code: firstSet[0] }, { headers });
    expect(old.body.error_code).toBe('INVALID_CODE');
  });
});

describe('new backup codes without the authenticator app', () => {
  it('regenerate accepts one backup code (and uses it up), like turning two-factor off does', async () => {
    const headers = freshHeaders();
    const { client } = await registerAndLogin(server);
    const { backupCodes } = await enableTwoFactor(server, client);
    const regenerated = await client.post('/api/auth/2fa/backup-codes/regenerate', { backup_code: backupCodes[4] }, { headers });
    expect(regenerated.status).toBe(200);
    expect(regenerated.body.backup_codes).toHaveLength(10);
    const again = await client.post('/api/auth/2fa/backup-codes/regenerate', { backup_code: backupCodes[5] }, { headers });
    expect(again.body.error_code).toBe('BACKUP_CODE_REPLACED');
    const both = await client.post('/api/auth/2fa/backup-codes/regenerate', { code: '123456', backup_code: backupCodes[6] }, { headers });
    expect(both.status).toBe(400);
    expect(both.body.error_code).toBe('VALIDATION_FAILED');
  });
});

describe('"last used" of the authenticator', () => {
  it('is null right after turning it on, and set once a code signs in', async () => {
    const { client, email } = await registerAndLogin(server);
    const { secret } = await enableTwoFactor(server, client);
    const fresh = await client.get('/api/auth/2fa/status');
    expect(fresh.body.enabled).toBe(true);
    expect(fresh.body.last_used_at).toBeNull();
    await client.post('/api/auth/logout');
    const login = await startTwoFactorLogin(server, email);
    const verified = await login.client.post('/api/auth/2fa/verify', { temp_token: login.tempToken, code: totpNextStep(server, secret) });
    expect(verified.status).toBe(200);
    const used = await login.client.get('/api/auth/2fa/status');
    expect(used.body.last_used_at).toBe(new Date(server.clock.nowMs()).toISOString());
  });
});
