import type { Server } from 'node:http';
import express from 'express';
import { createProofgate } from '../../src/server/index';

/**
 * The host app of the host-session scenario: an Express app that mounts Proofgate as a library
 * (as examples/express-host/server.js does) and guards a route of its own with
 * `gate.requireSession()`. Its twin is the better-auth peer's own `/api/orders`
 * (bench/peers/better-auth/server.ts): same route, same answer. Env: PORT, HOST, DATABASE_URL,
 * APP_ENC_KEY, REDIS_URL, REDIS_KEY_PREFIX, DATABASE_POOL_MAX; NODE_ENV as the process has it.
 */
async function main(): Promise<void> {
  const host = process.env.HOST ?? '127.0.0.1';
  const port = Number(process.env.PORT ?? 3200);
  const { DATABASE_URL: databaseUrl, APP_ENC_KEY: encKey, REDIS_URL: redisUrl } = process.env;
  if (!databaseUrl || !encKey) throw new Error('DATABASE_URL and APP_ENC_KEY are required');

  const gate = await createProofgate({
    databaseUrl,
    encKey,
    ...(redisUrl ? { redisUrl } : {}),
    ...(process.env.REDIS_KEY_PREFIX ? { redisKeyPrefix: process.env.REDIS_KEY_PREFIX } : {}),
    databasePoolMax: Number(process.env.DATABASE_POOL_MAX ?? 20),
  });

  const app = express();
  app.disable('x-powered-by');
  app.use(gate.router);
  app.get('/api/orders', gate.requireSession(), (req, res) => {
    // requireSession() answered 401 already when there is no session, so req.proofgate is set here.
    res.json({ user_id: req.proofgate!.user.id, orders: [] });
  });

  const server: Server = app.listen(port, host, () => console.error(`Proofgate host listening on http://${host}:${port}`));
  const shutdown = () => {
    server.close(() => {
      void gate.close().finally(() => process.exit(0));
    });
    server.closeIdleConnections();
    setTimeout(() => process.exit(1), 10_000).unref();
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

main().catch((error: unknown) => {
  console.error('Proofgate host failed to start:', error);
  process.exit(1);
});
