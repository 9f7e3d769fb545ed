import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../../src/server/config';
import { isAppError } from '../../../src/server/core/app-error';
import { createServices } from '../../../src/server/services';
import { answer, serveBareLogin } from '../bare-login-server';

/**
 * Proofgate's login service without its HTTP layer: Node's own HTTP server calls
 * `services.accounts.login` — built by Proofgate's composition root from the same environment as
 * the bench's Proofgate process, on the same database and Redis — and answers with the outcome.
 * So every store round trip, throttle, argon2 check, session row and audit row of a Proofgate
 * sign-in happens here; Express, its router, body parsing, the request schema, the request log,
 * the security headers, the Origin rule and the cookies do not. Started with `npm start`'s Node
 * flags and thread-pool preload, it shows how many sign-ins per second Proofgate's own work
 * allows on this machine before any HTTP framing: between it and the hash-only HTTP server is
 * what the service costs, between it and Proofgate is what the HTTP layer costs.
 *
 * Env: PORT, HOST and Proofgate's own settings (DATABASE_URL, REDIS_URL, APP_ENC_KEY …).
 * `POST /api/auth/login {"email", "password"}` answers 200 `{"requires_2fa": …}`, an AppError's
 * status and `error_code` otherwise, 400 for a body that is not that JSON. `GET /healthz` answers 200.
 */

async function main(): Promise<void> {
  const services = await createServices(loadConfig(process.env));
  serveBareLogin({
    describe: 'login service over node:http',
    defaultPort: 3400,
    onClose: () => services.close(),
    signIn(body, req, res) {
      if (typeof body.email !== 'string' || typeof body.password !== 'string') return answer(res, 400, { error_code: 'VALIDATION_FAILED' });
      const credentials = { email: body.email.trim().toLowerCase(), password: body.password };
      const origin = { requestId: randomUUID(), ip: req.socket.remoteAddress ?? 'unknown', userAgent: req.headers['user-agent'] };
      services.accounts
        .login({ ...credentials, deviceIdFor: () => undefined, previousSessionToken: undefined }, origin)
        .then(
          (outcome) => answer(res, 200, { requires_2fa: outcome.kind === 'second_factor' }),
          (error: unknown) =>
            isAppError(error) ? answer(res, error.status, { error_code: error.code }) : answer(res, 500, { error_code: 'INTERNAL_ERROR' }),
        );
    },
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
