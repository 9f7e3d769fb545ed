import { Redis } from 'ioredis';
import pg from 'pg';
import { normalizePassword } from '../../../src/server/auth/password-policy';
import { ipLimiterKey } from '../../../src/server/core/client-address';
import { DEFAULT_DATABASE_SCHEMA } from '../../../src/server/db/client';
import { quotedTableName } from '../../../src/server/db/insert-columns';
import { securityEvents, sessions, twoFactorChallenges, twoFactorCredentials, users } from '../../../src/server/db/schema';
import { hashSecret, verifySecret } from '../../../src/server/lib/argon2';
import { secureRandomBytes } from '../../../src/server/lib/random';
import { createKeyRing, decryptSecret, keyFromBase64, type KeyRing } from '../../../src/server/lib/secret-box';
import { generateToken, hashToken } from '../../../src/server/lib/tokens';
import { totpSecretContext } from '../../../src/server/twofactor/code-check';
import { matchTotpStep } from '../../../src/server/twofactor/totp';
import { answer, serveBareLogin } from '../bare-login-server';

/**
 * The sign-in floor: the least store work a throttled sign-in that opens an audited session
 * must do, for each of the two steps, with nothing of Proofgate's own logic around it, so the
 * login and verify scenarios measure what the machine allows such a step rather than a model of
 * it. The password step, per request, in the order a throttle needs (a point is taken before the
 * password is checked):
 *
 * 1. PostgreSQL: the user by email (one indexed read, a prepared statement);
 * 2. Redis: one script takes a point for the client's address and one for the email;
 * 3. argon2id: `verifySecret` of Proofgate's src/server/lib/argon2.ts, in the client's lane
 *    (the password normalised as Proofgate's sign-in does; an unknown email is checked against
 *    a hash made at start, so it costs the same);
 * 4. PostgreSQL: one statement writes the session row and its `auth.login.succeeded` event;
 * 5. Redis: the email's counter is cleared (a success resets it).
 *
 * Those are the round trips Proofgate's own sign-in makes (two to PostgreSQL, two to Redis);
 * what it has beyond them (a device key, the credential-epoch condition, the factor counts,
 * the log line, Express) is Proofgate's cost, measured against this. No framework, no logger.
 *
 * The second step (a TOTP code for a temp token, with replay check, limiter and audit on), per
 * request, again each check before the code is evaluated:
 *
 * 1. Redis: one script takes one of the temp token's attempts from its stash (what Proofgate's
 *    password step leaves under the token's hash: the challenge id, the user id and the sealed
 *    TOTP secret), then a point for the client's address, the account's lock and its daily cap,
 *    and returns the stash;
 * 2. the secret decrypted (Proofgate's AES-GCM envelope) and the code matched (±1 step), in
 *    process;
 * 3. PostgreSQL: one statement burns the step (only a later step than the last one used), then
 *    consumes the token, opens the AAL2 session and writes its `auth.login.succeeded` event,
 *    each only if the one before it happened;
 * 4. Redis: one script gives back what a success does not cost (the lock cleared, the address's
 *    and the daily point returned) and drops the stash.
 *
 * One PostgreSQL and two Redis round trips, as Proofgate's second step makes (its success
 * gives back and drops the stash in two commands of one socket write). What Proofgate has
 * beyond them (the credential-epoch conditions, a second audit row, telemetry, the log line,
 * Express) is Proofgate's cost. Its limits are far above what a
 * run sends: it throttles nothing, it only pays for throttling.
 *
 * Env: PORT, HOST, DATABASE_URL (Proofgate's database, migrated), REDIS_URL, REDIS_KEY_PREFIX,
 * APP_ENC_KEY (the key the bench fixtures encrypt TOTP secrets with).
 * `POST /api/auth/login {"email", "password"}` answers 200 `{"requires_2fa": false}` for a right
 * password, 401 otherwise; `POST /api/auth/2fa/verify {"temp_token", "code"}` 200 `{"user_id"}`
 * for a right code, 401 otherwise; 400 for a body that is not that JSON. `GET /healthz` answers 200.
 */

const WINDOW_SECONDS = 900;
const TAKE_POINTS_LUA = `
local refused = 0
for i = 1, #KEYS do
  local consumed = redis.call('incr', KEYS[i])
  if consumed == 1 then redis.call('expire', KEYS[i], ARGV[1]) end
  if consumed > tonumber(ARGV[2]) then refused = 1 end
end
return refused
`;
// A second step's attempt: one of the temp token's attempts from its stash (KEYS[1]), then the
// address's point (KEYS[2]) and the account's lock and daily cap, whose keys name the stashed
// user (ARGV[4] is the key prefix, which ioredis adds to KEYS only). Returns the stash, false
// for a token without one or out of attempts, 0 for a throttle refusal.
const TAKE_STASHED_LUA = `
local value = redis.call('hget', KEYS[1], 'v')
if not value then return false end
if redis.call('hincrby', KEYS[1], 'n', 1) > tonumber(ARGV[3]) then return false end
local user = cjson.decode(value).u
local keys = { KEYS[2], ARGV[4] .. 'floor:lock:' .. user, ARGV[4] .. 'floor:daily:' .. user }
local refused = false
for i = 1, #keys do
  local consumed = redis.call('incr', keys[i])
  if consumed == 1 then redis.call('expire', keys[i], ARGV[1]) end
  if consumed > tonumber(ARGV[2]) then refused = true end
end
if refused then return 0 end
return value
`;
// What a second step's success gives back: the stash dropped and the account's lock cleared
// (KEYS[1], KEYS[2]), the address's and the daily point returned (the other keys).
const GIVE_BACK_LUA = `
redis.call('del', KEYS[1], KEYS[2])
for i = 3, #KEYS do redis.call('decr', KEYS[i]) end
return 0
`;
const POINTS = 1_000_000_000;
/** Proofgate's default TWO_FACTOR_TEMP_TOKEN_MAX_FAILURES: a temp token takes at most this many attempts. */
const TEMP_TOKEN_MAX_FAILURES = 5;

const READ_USER = {
  name: 'floor-user-by-email',
  text: `select id, password_hash from ${quotedTableName(users)} where email = $1`,
};
const OPEN_SESSION = {
  name: 'floor-open-session',
  text: `with opened as (
      insert into ${quotedTableName(sessions)} (user_id, token_hash, aal, authenticated_at, last_seen_at, absolute_expires_at, ip, user_agent, credential_epoch)
      values ($1, $2, 1, now(), now(), now() + interval '30 days', $3, $4, 0)
      returning id)
    insert into ${quotedTableName(securityEvents)} (user_id, type, ip, user_agent, details)
      select $1, 'auth.login.succeeded', $3, $4, '{"aal":1}'::jsonb from opened`,
};

const COMPLETE_LOGIN = {
  name: 'floor-complete-login',
  text: `with step as (
      update ${quotedTableName(twoFactorCredentials)}
         set last_used_step = $3, last_used_at = now()
       where user_id = $2 and (last_used_step is null or last_used_step < $3)
      returning user_id),
    consumed as (
      update ${quotedTableName(twoFactorChallenges)}
         set consumed_at = now()
       where id = $1 and consumed_at is null and exists (select 1 from step)
      returning user_id),
    opened as (
      insert into ${quotedTableName(sessions)} (user_id, token_hash, aal, authenticated_at, last_seen_at, absolute_expires_at, ip, user_agent, credential_epoch)
      select user_id, $4, 2, now(), now(), now() + interval '30 days', $5, $6, 0 from consumed
      returning user_id)
    insert into ${quotedTableName(securityEvents)} (user_id, type, ip, user_agent, details)
      select user_id, 'auth.login.succeeded', $5, $6, '{"aal":2,"method":"totp"}'::jsonb from opened`,
};

type FloorRedis = Redis & {
  floorTakePoints(keyCount: number, ...keysAndArgs: string[]): Promise<number>;
  floorTakeStashed(keyCount: number, ...keysAndArgs: string[]): Promise<string | 0 | null>;
  floorGiveBack(keyCount: number, ...keys: string[]): Promise<number>;
};

async function main(): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL;
  const redisUrl = process.env.REDIS_URL;
  const encryptionKey = process.env.APP_ENC_KEY;
  if (!databaseUrl || !redisUrl || !encryptionKey) throw new Error('DATABASE_URL, REDIS_URL and APP_ENC_KEY are required');
  const keys: KeyRing = createKeyRing(keyFromBase64(encryptionKey));
  const pool = new pg.Pool({ connectionString: databaseUrl, max: Number(process.env.DATABASE_POOL_MAX ?? 20), options: `-c search_path=${DEFAULT_DATABASE_SCHEMA}` });
  const keyPrefix = process.env.REDIS_KEY_PREFIX ?? 'bench-floor:';
  const redis = new Redis(redisUrl, { keyPrefix }) as FloorRedis;
  redis.defineCommand('floorTakePoints', { lua: TAKE_POINTS_LUA });
  redis.defineCommand('floorTakeStashed', { lua: TAKE_STASHED_LUA });
  redis.defineCommand('floorGiveBack', { lua: GIVE_BACK_LUA });
  const dummyHash = await hashSecret(secureRandomBytes(24).toString('base64'));

  async function signIn(email: string, password: string, ip: string, userAgent: string | null): Promise<number> {
    const { rows } = await pool.query<{ id: string; password_hash: string }>({ ...READ_USER, values: [email] });
    // The address's limiter key names both its throttle counter and its lane in the hash queue.
    const address = ipLimiterKey(ip);
    const emailKey = `floor:email:${email}`;
    if ((await redis.floorTakePoints(2, `floor:${address}`, emailKey, String(WINDOW_SECONDS), String(POINTS))) !== 0) return 429;
    const user = rows[0];
    // An unknown email costs one verification too, as in Proofgate: the floor is a safe sign-in's.
    const valid = await verifySecret(user?.password_hash ?? dummyHash, normalizePassword(password), address);
    if (!user || !valid) return 401;
    const tokenHash = hashToken(generateToken(secureRandomBytes));
    await pool.query({ ...OPEN_SESSION, values: [user.id, tokenHash, ip, userAgent] });
    await redis.del(emailKey);
    return 200;
  }

  async function verifyTotp(tempToken: string, code: string, ip: string, userAgent: string | null): Promise<string | 401 | 429> {
    // The key Proofgate's stash uses (limits/redis-attempt-stash.ts, twofactor/challenge-stash.ts).
    const stashKey = `stash:2fa_challenge:${hashToken(tempToken)}`;
    const address = `floor:${ipLimiterKey(ip)}`;
    const taken = await redis.floorTakeStashed(2, stashKey, address, String(WINDOW_SECONDS), String(POINTS), String(TEMP_TOKEN_MAX_FAILURES), keyPrefix);
    if (taken === 0) return 429;
    if (!taken) return 401;
    const challenge = JSON.parse(taken) as { c: string; u: string; s: { k: string } | null };
    if (!challenge.s) return 401;
    const secret = decryptSecret(keys, challenge.s.k, totpSecretContext(challenge.u)).toString('utf8');
    const step = matchTotpStep(secret, code, Date.now());
    if (step === null) return 401;
    const tokenHash = hashToken(generateToken(secureRandomBytes));
    const completed = await pool.query({ ...COMPLETE_LOGIN, values: [challenge.c, challenge.u, step, tokenHash, ip, userAgent] });
    if (completed.rowCount !== 1) return 401;
    await redis.floorGiveBack(4, stashKey, `floor:lock:${challenge.u}`, address, `floor:daily:${challenge.u}`);
    return challenge.u;
  }

  serveBareLogin({
    describe: 'sign-in floor',
    defaultPort: 3500,
    onClose: async () => {
      await Promise.allSettled([pool.end(), redis.quit()]);
    },
    posts: {
      '/api/auth/login'(body, req, res) {
        if (typeof body.email !== 'string' || typeof body.password !== 'string') return answer(res, 400, { error_code: 'VALIDATION_FAILED' });
        signIn(body.email.trim().toLowerCase(), body.password, req.socket.remoteAddress ?? 'unknown', req.headers['user-agent'] ?? null).then(
          (status) =>
            answer(res, status, status === 200 ? { requires_2fa: false } : { error_code: status === 429 ? 'RATE_LIMITED' : 'INVALID_CREDENTIALS' }),
          () => answer(res, 503, { error_code: 'SERVICE_UNAVAILABLE' }),
        );
      },
      '/api/auth/2fa/verify'(body, req, res) {
        if (typeof body.temp_token !== 'string' || typeof body.code !== 'string') return answer(res, 400, { error_code: 'VALIDATION_FAILED' });
        verifyTotp(body.temp_token, body.code, req.socket.remoteAddress ?? 'unknown', req.headers['user-agent'] ?? null).then(
          (outcome) =>
            typeof outcome === 'string'
              ? answer(res, 200, { user_id: outcome })
              : answer(res, outcome, { error_code: outcome === 429 ? 'RATE_LIMITED' : 'INVALID_CODE' }),
          () => answer(res, 503, { error_code: 'SERVICE_UNAVAILABLE' }),
        );
      },
    },
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
