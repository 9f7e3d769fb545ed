import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { loadConfig } from '../../../src/server/config';
import { isAppError } from '../../../src/server/core/app-error';
import { createServices } from '../../../src/server/services';

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

const MAX_BODY_BYTES = 16 * 1024;

function answer(res: http.ServerResponse, status: number, body: unknown): void {
  const json = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
  res.end(json);
}

function readCredentials(raw: string): { email: string; password: string } | undefined {
  try {
    const parsed = JSON.parse(raw) as { email?: unknown; password?: unknown };
    if (typeof parsed?.email !== 'string' || typeof parsed.password !== 'string') return undefined;
    return { email: parsed.email.trim().toLowerCase(), password: parsed.password };
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const host = process.env.HOST ?? '127.0.0.1';
  const port = Number(process.env.PORT ?? 3400);
  const services = await createServices(loadConfig(process.env));

  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/healthz') return answer(res, 200, { ok: true });
    if (req.method !== 'POST' || req.url !== '/api/auth/login') return answer(res, 404, { error_code: 'NOT_FOUND' });
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) req.destroy();
      else chunks.push(chunk);
    });
    req.on('end', () => {
      const credentials = readCredentials(Buffer.concat(chunks).toString('utf8'));
      if (!credentials) return answer(res, 400, { error_code: 'VALIDATION_FAILED' });
      const origin = { requestId: randomUUID(), ip: req.socket.remoteAddress ?? 'unknown', userAgent: req.headers['user-agent'] };
      services.accounts
        .login({ ...credentials, deviceIdFor: () => undefined, previousSessionToken: undefined }, origin)
        .then(
          (outcome) => answer(res, 200, { requires_2fa: outcome.kind === 'second_factor' }),
          (error: unknown) =>
            isAppError(error) ? answer(res, error.status, { error_code: error.code }) : answer(res, 500, { error_code: 'INTERNAL_ERROR' }),
        );
    });
  });
  server.listen(port, host, () => console.error(`login service over node:http on http://${host}:${port}`));
  process.on('SIGTERM', () => server.close(() => void services.close().finally(() => process.exit(0))));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
