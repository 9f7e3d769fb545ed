import { Redis } from 'ioredis';
import pg from 'pg';
import { normalizePassword } from '../../../src/server/auth/password-policy';
import { ipLimiterKey } from '../../../src/server/core/client-address';
import { DEFAULT_DATABASE_SCHEMA } from '../../../src/server/db/client';
import { quotedTableName } from '../../../src/server/db/insert-columns';
import { securityEvents, sessions, users } from '../../../src/server/db/schema';
import { hashSecret, verifySecret } from '../../../src/server/lib/argon2';
import { secureRandomBytes } from '../../../src/server/lib/random';
import { generateToken, hashToken } from '../../../src/server/lib/tokens';
import { answer, serveBareLogin } from '../bare-login-server';

/**
 * The sign-in floor: the least store work a throttled sign-in that opens an audited session
 * must do, with nothing of Proofgate's own logic around it, so the login scenario measures what
 * the machine allows such a sign-in rather than a model of it. Per request, in the order a
 * throttle needs (a point is taken before the password is checked):
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
 * Its limits are far above what a run sends: it throttles nothing, it only pays for throttling.
 *
 * Env: PORT, HOST, DATABASE_URL (Proofgate's database, migrated), REDIS_URL, REDIS_KEY_PREFIX.
 * `POST /api/auth/login {"email", "password"}` answers 200 `{"requires_2fa": false}` for a right
 * password, 401 otherwise, 400 for a body that is not that JSON. `GET /healthz` answers 200.
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
const POINTS = 1_000_000_000;

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

type FloorRedis = Redis & { floorTakePoints(keyCount: number, ...keysAndArgs: string[]): Promise<number> };

async function main(): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL;
  const redisUrl = process.env.REDIS_URL;
  if (!databaseUrl || !redisUrl) throw new Error('DATABASE_URL and REDIS_URL are required');
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 20, options: `-c search_path=${DEFAULT_DATABASE_SCHEMA}` });
  const redis = new Redis(redisUrl, { keyPrefix: process.env.REDIS_KEY_PREFIX ?? 'bench-floor:' }) as FloorRedis;
  redis.defineCommand('floorTakePoints', { lua: TAKE_POINTS_LUA });
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
    },
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
