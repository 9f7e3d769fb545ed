import http from 'node:http';
import { ipLimiterKey } from '../../../src/server/core/client-address';
import { hashSecret, verifySecret } from '../../../src/server/lib/argon2';

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

const MAX_BODY_BYTES = 16 * 1024;

function answer(res: http.ServerResponse, status: number, body: unknown): void {
  const json = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
  res.end(json);
}

function readPassword(raw: string): string | undefined {
  try {
    const parsed = JSON.parse(raw) as { password?: unknown };
    return typeof parsed?.password === 'string' ? parsed.password : undefined;
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const host = process.env.HOST ?? '127.0.0.1';
  const port = Number(process.env.PORT ?? 3300);
  const password = process.env.BENCH_PASSWORD;
  if (!password) throw new Error('BENCH_PASSWORD is required');
  const stored = await hashSecret(password);

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
      const given = readPassword(Buffer.concat(chunks).toString('utf8'));
      if (given === undefined) return answer(res, 400, { error_code: 'VALIDATION_FAILED' });
      verifySecret(stored, given, ipLimiterKey(req.socket.remoteAddress ?? 'unknown')).then(
        (valid) => answer(res, valid ? 200 : 401, valid ? { ok: true } : { error_code: 'INVALID_CREDENTIALS' }),
        () => answer(res, 503, { error_code: 'SERVICE_UNAVAILABLE' }),
      );
    });
  });
  server.listen(port, host, () => console.error(`hash-only login on http://${host}:${port}`));
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
