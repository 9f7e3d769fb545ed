import type { Server } from 'node:http';
import type { Express } from 'express';
import { createExpressServer } from './express-server';
import { attachServerGuards } from './server-guards';

/**
 * How Proofgate's own servers listen — `npm start`, every HTTP test's server and the proof's: with
 * the app's own request and response classes (createExpressServer) and the parser and slow-loris
 * guards (attachServerGuards), so the tests and the proof run the server users run. Resolves once
 * the port is bound; a port that cannot be bound (EADDRINUSE, EACCES) rejects.
 */
export function listenGuarded(app: Express, port: number, host: string): Promise<Server> {
  const server = createExpressServer(app);
  attachServerGuards(server);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
