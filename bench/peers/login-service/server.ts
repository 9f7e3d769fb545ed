import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import { loadConfig } from '../../../src/server/config';
import { isAppError } from '../../../src/server/core/app-error';
import type { RequestOrigin } from '../../../src/server/core/request-origin';
import { createServices } from '../../../src/server/services';
import { answer, serveBareLogin } from '../bare-login-server';

/**
 * Proofgate's sign-in services without their HTTP layer: Node's own HTTP server calls
 * `services.accounts.login` (the password step) and `services.twoFactor.verifyLogin` (the second
 * step) — built by Proofgate's composition root from the same environment as the bench's
 * Proofgate process, on the same database and Redis — and answers with the outcome. So every
 * store round trip, throttle, argon2 check, TOTP check, session row and audit row of a Proofgate
 * sign-in happens here; Express, its router, body parsing, the request schema, the request log,
 * the security headers, the Origin rule and the cookies do not. Started with `npm start`'s Node
 * flags and thread-pool preload, it shows how many sign-ins per second Proofgate's own work
 * allows on this machine before any HTTP framing: between it and Proofgate is what the HTTP layer
 * costs, and for the password step, between it and the hash-only HTTP server what the service costs.
 *
 * Env: PORT, HOST and Proofgate's own settings (DATABASE_URL, REDIS_URL, APP_ENC_KEY …).
 * `POST /api/auth/login {"email", "password"}` answers 200 `{"requires_2fa": …}`,
 * `POST /api/auth/2fa/verify {"temp_token", "code"}` 200 `{"user_id"}`; an AppError's status and
 * `error_code` otherwise, 400 for a body that is not that JSON. `GET /healthz` answers 200.
 */

function originOf(req: http.IncomingMessage): RequestOrigin {
  return { requestId: randomUUID(), ip: req.socket.remoteAddress ?? 'unknown', userAgent: req.headers['user-agent'] };
}

/** Answers 200 with what `work` resolves to, or the refusal's status and error_code. */
function answerWith<T>(res: http.ServerResponse, work: Promise<T>, view: (result: T) => unknown): void {
  work.then(
    (result) => answer(res, 200, view(result)),
    (error: unknown) => (isAppError(error) ? answer(res, error.status, { error_code: error.code }) : answer(res, 500, { error_code: 'INTERNAL_ERROR' })),
  );
}

async function main(): Promise<void> {
  const services = await createServices(loadConfig(process.env));
  serveBareLogin({
    describe: 'login service over node:http',
    defaultPort: 3400,
    onClose: () => services.close(),
    posts: {
      '/api/auth/login'(body, req, res) {
        if (typeof body.email !== 'string' || typeof body.password !== 'string') return answer(res, 400, { error_code: 'VALIDATION_FAILED' });
        const credentials = { email: body.email.trim().toLowerCase(), password: body.password };
        const login = services.accounts.login({ ...credentials, deviceIdFor: () => undefined, previousSessionToken: undefined }, originOf(req));
        answerWith(res, login, (outcome) => ({ requires_2fa: outcome.kind === 'second_factor' }));
      },
      '/api/auth/2fa/verify'(body, req, res) {
        if (typeof body.temp_token !== 'string' || typeof body.code !== 'string') return answer(res, 400, { error_code: 'VALIDATION_FAILED' });
        const verified = services.twoFactor.verifyLogin({ tempToken: body.temp_token, code: body.code }, originOf(req));
        answerWith(res, verified, (result) => ({ user_id: result.user.id }));
      },
    },
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
