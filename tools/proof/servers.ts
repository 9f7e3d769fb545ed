import fs from 'node:fs';
import path from 'node:path';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { createStandaloneProofgate, type StandaloneProofgate as Proofgate } from '../../src/server/app';
import { loadConfig } from '../../src/server/config';
import { listenGuarded } from '../../src/server/http/listen';

/**
 * Real HTTP servers on loopback, built in-process exactly as src/server/main.ts builds them
 * (loadConfig → createStandaloneProofgate → listenGuarded), from documented environment
 * variables only and the real clock. In-process, so the proof can read the database through
 * proofgate.database.query: PGlite allows one process, and a child server would lock it.
 */
export interface ProofServer {
  name: string;
  url: string;
  proofgate: Proofgate;
  /** The environment the server was configured with (values may be secret: mask before writing). */
  env: Record<string, string>;
  close(): Promise<void>;
}

export interface LogLine {
  server: string;
  line: string;
}

export async function startProofServer(
  name: string,
  env: Record<string, string>,
  options: { pglite: PGlite | undefined; logLines: LogLine[] },
): Promise<ProofServer> {
  // Only the variables given: nothing leaks in from the proof's own environment.
  const config = loadConfig(env);
  const logDestination = new Writable({
    write(chunk, _encoding, callback) {
      for (const line of String(chunk).split('\n')) if (line.trim()) options.logLines.push({ server: name, line });
      callback();
    },
  });
  const proofgate = await createStandaloneProofgate(config, { logDestination, ...(options.pglite ? { pglite: options.pglite } : {}) });
  const server: Server = await listenGuarded(proofgate.app, 0, '127.0.0.1');
  const { port } = server.address() as AddressInfo;
  return {
    name,
    url: `http://127.0.0.1:${port}`,
    proofgate,
    env,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await proofgate.close();
    },
  };
}

export interface ProofDatabase {
  description: string;
  /** DATABASE_URL for the servers (postgres), or nothing (embedded). */
  env: Record<string, string>;
  /** The embedded database, opened once and shared by the run's servers. */
  pglite: PGlite | undefined;
  close(): Promise<void>;
}

/**
 * Embedded: a PGlite in DATA_DIR/pglite — the folder the server itself would open — opened
 * once and handed to each server of the run, because PGlite admits a single owner.
 * PostgreSQL: a fresh database named after the run on DATABASE_URL's server.
 */
export async function prepareDatabase(options: { databaseUrl: string | undefined; dataDir: string; databaseName: string }): Promise<ProofDatabase> {
  if (!options.databaseUrl) {
    const folder = path.join(options.dataDir, 'pglite');
    fs.mkdirSync(folder, { recursive: true, mode: 0o700 });
    const pglite = await PGlite.create(folder);
    return {
      description: `embedded PGlite, fresh temporary DATA_DIR ${options.dataDir} (deleted after the run)`,
      env: {},
      pglite,
      close: async () => {
        if (!pglite.closed) await pglite.close();
      },
    };
  }
  const admin = new pg.Client({ connectionString: options.databaseUrl });
  await admin.connect();
  try {
    await admin.query(`create database "${options.databaseName}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(options.databaseUrl);
  url.pathname = `/${options.databaseName}`;
  return {
    description: `PostgreSQL at ${url.host}: fresh database "${options.databaseName}" created for this run on DATABASE_URL's server, kept afterwards so its rows can be inspected (drop it with \`DROP DATABASE "${options.databaseName}"\`)`,
    env: { DATABASE_URL: url.toString() },
    pglite: undefined,
    close: async () => undefined,
  };
}
