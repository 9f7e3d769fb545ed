import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Writable } from 'node:stream';
import { createStandaloneProofgate, type ProofgateDeps } from '../../src/server/app';
import type { Proofgate } from '../../src/server/gate/create';
import { loadConfig } from '../../src/server/config';
import { listenGuarded } from '../../src/server/http/listen';
import { FakeClock } from './fake-clock';
import { HttpClient } from './http-client';
import { createTestDatabase, type TestDatabase } from './test-database';

export interface TestServer {
  url: string;
  /** The gate behind the server: the standalone app's, or a test host app's (test/support/host-app.ts). */
  proofgate: Proofgate;
  clock: FakeClock;
  database: TestDatabase;
  /** Every log line the server wrote (JSON strings), for redaction and trace_id assertions. */
  logs: string[];
  client(): HttpClient;
  close(): Promise<void>;
}

export interface TestServerOptions {
  env?: Record<string, string | undefined>;
  deps?: Omit<ProofgateDeps, 'clock' | 'logDestination' | 'pglite'>;
  clock?: FakeClock;
  /** Reuse a database (multi-instance tests); otherwise a fresh clone is made and dropped on close. */
  database?: TestDatabase;
  /** Listen on this port instead of any free one (when PUBLIC_URL must name the server's own URL). */
  port?: number;
}

/** A test key (base64 of 32 bytes) so tests never generate one into a data folder. */
export const TEST_APP_ENC_KEY = Buffer.alloc(32, 7).toString('base64');

/** A log destination that keeps every line (JSON strings), for redaction and trace_id assertions. */
export function captureLogs(): { logs: string[]; logDestination: Writable } {
  const logs: string[] = [];
  const logDestination = new Writable({
    write(chunk, _encoding, callback) {
      for (const line of String(chunk).split('\n')) if (line.trim()) logs.push(line);
      callback();
    },
  });
  return { logs, logDestination };
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const database = options.database ?? (await createTestDatabase());
  const ownsDatabase = !options.database;
  const clock = options.clock ?? new FakeClock();
  const { logs, logDestination } = captureLogs();
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    LOG_LEVEL: 'info',
    DATA_DIR: '/nonexistent-proofgate-test-data',
    APP_ENC_KEY: TEST_APP_ENC_KEY,
    SERVE_WEB: 'false',
    DATABASE_URL: database.databaseUrl,
    // Every test client is 127.0.0.1 and a test file signs up far more users than one person
    // would in an hour; registration-abuse tests set their own (lower) limit.
    REGISTER_IP_MAX_PER_HOUR: '100000',
    // Throttle refusals answered at once: many tests walk past a limit one request at a time, and
    // a held refusal would add a second to each. The test of the hold sets its own.
    THROTTLE_REFUSAL_DELAY_MS: '0',
    ...options.env,
  });
  const proofgate = await createStandaloneProofgate(config, {
    ...options.deps,
    clock,
    logDestination,
    ...(database.pglite ? { pglite: database.pglite } : {}),
  });
  // The server npm start makes (main.ts), so every HTTP test runs on it.
  const server: Server = await listenGuarded(proofgate.app, options.port ?? 0, '127.0.0.1');
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    proofgate,
    clock,
    database,
    logs,
    client: () => new HttpClient(url),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await proofgate.close();
      if (ownsDatabase) await database.drop();
    },
  };
}

let counter = 0;
/** Unique, obviously-fake addresses per test so tests in one file never collide. */
export function uniqueEmail(prefix = 'user'): string {
  counter += 1;
  return `${prefix}.${process.pid}.${Date.now().toString(36)}.${counter}@example.test`;
}

export const STRONG_PASSWORD = 'violet-anchor-drifts-31';

/** Makes an existing user an admin the only way there is: the CLI's user:grant-admin, run in-process. */
export async function grantAdmin(server: TestServer, email: string): Promise<void> {
  const { userGrantAdmin } = await import('../../src/server/cli/user-commands');
  await userGrantAdmin(server.proofgate.services, ['--email', email]);
}

/** Registers and signs in a user without 2FA; the client holds the session cookie. */
export async function registerAndLogin(server: TestServer, email = uniqueEmail(), password = STRONG_PASSWORD) {
  const client = server.client();
  const registered = await client.post('/api/auth/register', { email, password });
  if (registered.status !== 201) throw new Error(`register failed: ${registered.status} ${registered.text}`);
  const login = await client.post('/api/auth/login', { email, password });
  if (login.status !== 200) throw new Error(`login failed: ${login.status} ${login.text}`);
  return { client, email, password, userId: registered.body.user.id as string };
}
