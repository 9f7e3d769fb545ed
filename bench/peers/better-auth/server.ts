import type { Server } from 'node:http';
import express from 'express';
import { fromNodeHeaders, toNodeHandler } from 'better-auth/node';
import { getMigrations } from 'better-auth/db/migration';
import { createPeerAuth } from './auth';

/**
 * A minimal Express app serving better-auth under /api/auth, as its docs mount it, and one
 * route of its own guarded the way better-auth's docs guard an Express route
 * (`auth.api.getSession` with `fromNodeHeaders`): the host app of the host-session scenario.
 * Env: PORT, HOST, DATABASE_URL, BETTER_AUTH_SECRET, DATABASE_POOL_MAX, and
 * PEER_COOKIE_CACHE_SECONDS (turns on better-auth's session cookie cache with that maxAge).
 * Runs better-auth's own migrations (the Kysely migrator behind `auth migrate`) at start-up.
 */
async function main(): Promise<void> {
  const host = process.env.HOST ?? '127.0.0.1';
  const port = Number(process.env.PORT ?? 3100);
  const databaseUrl = process.env.DATABASE_URL;
  const secret = process.env.BETTER_AUTH_SECRET;
  if (!databaseUrl || !secret) throw new Error('DATABASE_URL and BETTER_AUTH_SECRET are required');

  const { auth, pool } = createPeerAuth({
    databaseUrl,
    baseUrl: `http://${host}:${port}`,
    secret,
    poolMax: Number(process.env.DATABASE_POOL_MAX ?? 20),
    cookieCacheMaxAgeSeconds: Number(process.env.PEER_COOKIE_CACHE_SECONDS ?? 0),
  });
  const { runMigrations } = await getMigrations(auth.options);
  await runMigrations();

  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  // Express 5 path syntax; better-auth reads the body itself, so no express.json() before it.
  app.all('/api/auth/*splat', toNodeHandler(auth));
  // The host's own route: the same shape as the Proofgate host's (bench/hosts/proofgate-host.ts).
  app.get('/api/orders', async (req, res) => {
    const session = await auth.api.getSession({ headers: fromNodeHeaders(req.headers) });
    if (!session) {
      res.status(401).json({ error: 'unauthenticated' });
      return;
    }
    res.json({ user_id: session.user.id, orders: [] });
  });

  const server: Server = app.listen(port, host, () => console.error(`better-auth peer listening on http://${host}:${port}`));
  const shutdown = () => {
    server.close(() => {
      void pool.end().finally(() => process.exit(0));
    });
    server.closeIdleConnections();
    setTimeout(() => process.exit(1), 10_000).unref();
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

main().catch((error: unknown) => {
  console.error('better-auth peer failed to start:', error);
  process.exit(1);
});
