import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';
import pg from 'pg';
import { createProofgate } from 'proofgate';

/**
 * An existing app with its own data (an `orders` table in public) that adds Proofgate:
 * gate.router for the auth API, gate.requireSession() in front of its own routes.
 * With DATABASE_URL both share the host's PostgreSQL (Proofgate in its own schema); without
 * it the host opens an embedded PGlite and hands it to Proofgate.
 */
const here = path.dirname(fileURLToPath(import.meta.url));

async function openHostDatabase(databaseUrl) {
  if (databaseUrl) {
    const pool = new pg.Pool({ connectionString: databaseUrl, max: 4 });
    // pg-pool re-emits the error of an idle connection the server closed (a PostgreSQL restart,
    // an administrator's terminate) on the pool; with no listener that ends the process. Such a
    // connection is discarded and the next query opens a new one.
    pool.on('error', (error) => console.error(`host database: idle connection lost (${error.code ?? error.message})`));
    return { query: async (text, params) => (await pool.query(text, params)).rows, gateDeps: {}, close: () => pool.end() };
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const pglite = await PGlite.create();
  return {
    query: async (text, params) => (await pglite.query(text, params)).rows,
    gateDeps: { pglite },
    close: () => pglite.close(),
  };
}

export async function createHostApp({ databaseUrl = process.env.DATABASE_URL, encKey = process.env.APP_ENC_KEY, options = {} } = {}) {
  const db = await openHostDatabase(databaseUrl);
  // The host's own schema, created before Proofgate is added: it must survive untouched.
  await db.query('create table if not exists public.orders (id serial primary key, owner_id text not null, item text not null)');
  await db.query('create table if not exists public.users (id serial primary key, login text not null)');

  const gate = await createProofgate({ ...(databaseUrl ? { databaseUrl } : {}), encKey, dataDir: path.join(here, 'data'), ...options }, db.gateDeps);

  const app = express();
  app.use(gate.router);
  app.get('/api/orders', gate.requireSession(), async (req, res) => {
    const orders = await db.query('select id, item from public.orders where owner_id = $1 order by id', [req.proofgate.user.id]);
    res.json({ user: req.proofgate.user, orders });
  });
  app.post('/api/orders', express.json(), gate.requireSession(), async (req, res) => {
    const [order] = await db.query('insert into public.orders (owner_id, item) values ($1, $2) returning id, item', [req.proofgate.user.id, String(req.body?.item ?? 'item')]);
    res.status(201).json(order);
  });
  app.post('/api/payouts', express.json(), gate.requireSession({ aal: 2 }), (req, res) => {
    res.json({ paid: true, aal: req.proofgate.session.aal });
  });
  const webDist = path.join(here, 'dist');
  if (fs.existsSync(path.join(webDist, 'index.html'))) {
    app.use(express.static(webDist));
    app.get(/^\/(?!api\/).*/, (_req, res) => res.sendFile(path.join(webDist, 'index.html')));
  }
  return {
    app,
    gate,
    query: db.query,
    async close() {
      await gate.close();
      await db.close();
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const host = await createHostApp();
  const port = Number(process.env.PORT ?? 3100);
  const server = host.app.listen(port, '127.0.0.1', () => console.log(`express-host example on http://127.0.0.1:${port}`));
  const stop = () => server.close(() => host.close().then(() => process.exit(0)));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
