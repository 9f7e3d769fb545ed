import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express, { type ErrorRequestHandler } from 'express';
import { createProofgate, type ProofgateOptions } from '../../src/server/index';
import type { ProofgateDeps } from '../../src/server/services';
import { attachServerGuards } from '../../src/server/http/server-guards';
import { FakeClock } from './fake-clock';
import { HttpClient } from './http-client';
import { captureLogs, TEST_APP_ENC_KEY, type TestServer } from './test-server';
import { createTestDatabase, type TestDatabase } from './test-database';

export interface HostServerOptions {
  options?: ProofgateOptions;
  deps?: Omit<ProofgateDeps, 'clock' | 'logDestination'>;
  database?: TestDatabase;
}

/**
 * An application we did not write, mounting Proofgate the documented way (docs/embedding.md):
 * its own routes before and after gate.router, its own body parsing and its own error handler
 * (which answers text/plain 500, so a guard that leaned on it would show).
 */
export async function startHostServer(host: HostServerOptions = {}): Promise<TestServer> {
  const database = host.database ?? (await createTestDatabase());
  const clock = new FakeClock();
  const { logs, logDestination } = captureLogs();
  const gate = await createProofgate(
    {
      logLevel: 'info',
      dataDir: '/nonexistent-proofgate-test-data',
      encKey: TEST_APP_ENC_KEY,
      registerIpMaxPerHour: 100_000,
      ...(database.databaseUrl ? { databaseUrl: database.databaseUrl } : {}),
      ...host.options,
    },
    { ...host.deps, clock, logDestination, ...(database.pglite ? { pglite: database.pglite } : {}) },
  );
  const app = express();
  app.get('/api/host/before', (_req, res) => {
    res.json({ host: true });
  });
  app.use(gate.router);
  app.get('/api/orders', gate.requireSession(), (req, res) => {
    res.json({ orders: [], proofgate: req.proofgate });
  });
  // A host route with a form body: Proofgate's JSON-only rule must not reach it.
  app.post('/api/orders', express.urlencoded({ extended: false }), gate.requireSession(), (req, res) => {
    res.status(201).json({ item: (req.body as Record<string, string>).item, user: req.proofgate!.user.id });
  });
  app.post('/api/payouts', express.json(), gate.requireSession({ aal: 2 }), (req, res) => {
    res.json({ paid: true, session: req.proofgate!.session });
  });
  app.get('/admin/x', gate.requireSession({ admin: true }), (req, res) => {
    res.json({ admin: req.proofgate!.user.role });
  });
  app.get('/api/host/after', (_req, res) => {
    res.json({ host: true });
  });
  const hostErrors: ErrorRequestHandler = (_error, _req, res, _next) => {
    res.status(500).type('text/plain').send('host error handler');
  };
  app.use(hostErrors);
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
    attachServerGuards(s);
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    proofgate: gate,
    clock,
    database,
    logs,
    client: () => new HttpClient(url),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await gate.close();
      if (!host.database) await database.drop();
    },
  };
}
