import { ipLimiterKey } from '../../../src/server/core/client-address';
import { hashSecret, verifySecret } from '../../../src/server/lib/argon2';
import { answer, serveBareLogin } from '../bare-login-server';

/**
 * The login ceiling over HTTP: a sign-in that is nothing but its argon2id verification. Node's
 * own HTTP server, no framework, no database, no throttle, no session, no log line — and the
 * same hashing path as Proofgate: `verifySecret` from src/server/lib/argon2.ts, so the same
 * admission limit and fair queue (lane of the client's address), with the bench starting it
 * with `npm start`'s Node flags and thread-pool preload. What the load generator gets from it
 * is the most sign-ins per second any server can answer over HTTP on this machine, with the
 * load generator, PostgreSQL and Redis sharing its cores as in the login runs; the login
 * scenario runs it in every round next to Proofgate and better-auth.
 *
 * Env: PORT, HOST, BENCH_PASSWORD (the password every bench user has; its hash is made at start).
 * `POST /api/auth/login {"email", "password"}` answers 200 `{"ok":true}` for the password, 401
 * otherwise, 400 for a body that is not that JSON. `GET /healthz` answers 200.
 */
async function main(): Promise<void> {
  const password = process.env.BENCH_PASSWORD;
  if (!password) throw new Error('BENCH_PASSWORD is required');
  const stored = await hashSecret(password);

  serveBareLogin({
    describe: 'hash-only login',
    defaultPort: 3300,
    posts: {
      '/api/auth/login'(body, req, res) {
        if (typeof body.password !== 'string') return answer(res, 400, { error_code: 'VALIDATION_FAILED' });
        verifySecret(stored, body.password, ipLimiterKey(req.socket.remoteAddress ?? 'unknown')).then(
          (valid) => answer(res, valid ? 200 : 401, valid ? { ok: true } : { error_code: 'INVALID_CREDENTIALS' }),
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
