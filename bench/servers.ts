import { randomBytes } from 'node:crypto';
import { buildServerBundle, serverBundle } from '../tools/build/server-bundle';
import { BENCH_PASSWORD } from './fixtures/proofgate';
import { npmStartNodeFlags } from './lib/npm-start';
import { benchDatabasePoolMax } from './lib/environment';
import { startServerProcess, type ServerProcess } from './lib/server-process';
import type { ServerName } from './scenarios';

/**
 * The eight server processes of a run, started one after another (the Proofgate-side servers
 * share Proofgate's database, which Proofgate, started first, migrates; the better-auth trio
 * shares one):
 *
 * - Proofgate as `npm start` runs it: the bundle of the current sources, no loader;
 * - the better-auth peer with its defaults, and the same peer with its session cookie cache;
 * - the two host apps, both through tsx: bench/hosts/proofgate-host.ts (Proofgate as a library)
 *   and the better-auth peer's own server, whose `/api/orders` is its host route;
 * - the hash-only HTTP server (bench/peers/hash-only/server.ts): a sign-in that is only its
 *   argon2id verification, on Proofgate's hashing path, with `npm start`'s flags and preload;
 * - the sign-in floor (bench/peers/sign-in-floor/server.ts): that verification plus the least
 *   store work a throttled sign-in that opens an audited session needs (two PostgreSQL and two
 *   Redis round trips), and the same least store work for the TOTP second step, on Proofgate's
 *   database, with the same flags and preload;
 * - the login service (bench/peers/login-service/server.ts): Proofgate's own `accounts.login`
 *   and `twoFactor.verifyLogin` under Node's HTTP server, on Proofgate's database with
 *   Proofgate's settings, flags and preload — both sign-in steps of Proofgate without Express
 *   and the rest of the HTTP layer.
 */

export interface ServerSet {
  processes: Record<ServerName, ServerProcess>;
  /** Settings Proofgate runs with beyond its defaults (both Proofgate processes), for the report. */
  proofgateEnv: Record<string, string>;
}

export interface ServerSetOptions {
  probePreload: string;
  proofgateDatabaseUrl: string;
  peerDatabaseUrl: string;
  redisUrl: string;
  redisPrefix: string;
  hostRedisPrefix: string;
  appEncKey: string;
  cookieCacheSeconds: number;
  cpuProfileDir: string | undefined;
  /** Called as each process starts, so a failure later still stops the ones already running. */
  onStarted(server: ServerProcess): void;
}

/** Every server's PostgreSQL pool, the same for each (lib/environment.ts). */
const DATABASE_POOL_MAX = String(benchDatabasePoolMax());

// Every throttle stays on, at its default threshold: valid credentials refund their points (or
// reset the counter), so one client with valid credentials only ever holds as many points as it
// has requests in flight (≤ connections), below every per-IP limit. Except registration, which
// only the flood scenario uses: raised so that its flood reaches argon2 and the run measures the
// fair queue rather than the 429 the throttle would answer. TRUST_PROXY=loopback lets that
// scenario pick client addresses with X-Forwarded-For; the other scenarios send none, so they
// are all 127.0.0.1 as before.
const PROOFGATE_ENV: Record<string, string> = {
  NODE_ENV: 'production',
  LOG_LEVEL: 'info',
  SERVE_WEB: 'false',
  DATABASE_POOL_MAX,
  TRUST_PROXY: 'loopback',
  REGISTER_IP_MAX_PER_HOUR: '1000000',
  REGISTER_GLOBAL_MAX_PER_HOUR: '10000000',
};

/** Proofgate's settings on a bench database, with the Redis key prefix of one process (also `npm run bench:ab`'s). */
export function proofgateProcessEnv(where: { databaseUrl: string; redisUrl: string; redisPrefix: string; appEncKey: string }): Record<string, string> {
  return {
    ...PROOFGATE_ENV,
    DATABASE_URL: where.databaseUrl,
    REDIS_URL: where.redisUrl,
    REDIS_KEY_PREFIX: where.redisPrefix,
    APP_ENC_KEY: where.appEncKey,
  };
}

function proofgateEnv(options: ServerSetOptions, redisPrefix: string): Record<string, string> {
  return proofgateProcessEnv({ databaseUrl: options.proofgateDatabaseUrl, redisUrl: options.redisUrl, redisPrefix, appEncKey: options.appEncKey });
}

/** The login service's own Redis key prefix, beside Proofgate's. */
export function loginServiceRedisPrefix(proofgateRedisPrefix: string): string {
  return `${proofgateRedisPrefix}-service`;
}

/** The sign-in floor's own Redis key prefix (its ioredis client adds a colon). */
export function signInFloorRedisPrefix(proofgateRedisPrefix: string): string {
  return `${proofgateRedisPrefix}-floor`;
}

/** With `--profile`, the login service and the sign-in floor write their CPU profiles beside Proofgate's, each in this folder. */
export function sideProfileDir(proofgateProfileDir: string, side: 'login-service' | 'sign-in-floor'): string {
  return `${proofgateProfileDir}-${side}`;
}

export async function startServers(options: ServerSetOptions): Promise<ServerSet> {
  const started = async (promise: Promise<ServerProcess>) => {
    const server = await promise;
    options.onStarted(server);
    return server;
  };
  await buildServerBundle();
  const proofgate = await started(
    startServerProcess({
      name: 'proofgate',
      entry: serverBundle,
      nodeFlags: npmStartNodeFlags(),
      probePreload: options.probePreload,
      env: proofgateEnv(options, options.redisPrefix),
      cpuProfileDir: options.cpuProfileDir,
    }),
  );
  const peerSecret = randomBytes(32).toString('hex');
  const peerProcess = (name: string, cookieCacheSeconds = 0) =>
    started(
      startServerProcess({
        name,
        entry: 'bench/peers/better-auth/server.ts',
        probePreload: options.probePreload,
        env: {
          NODE_ENV: 'production',
          DATABASE_URL: options.peerDatabaseUrl,
          BETTER_AUTH_SECRET: peerSecret,
          DATABASE_POOL_MAX,
          PEER_COOKIE_CACHE_SECONDS: String(cookieCacheSeconds),
        },
      }),
    );
  const peer = await peerProcess('better-auth');
  const peerCookieCache = await peerProcess('better-auth-cookie-cache', options.cookieCacheSeconds);
  const proofgateHost = await started(
    startServerProcess({
      name: 'proofgate-host',
      entry: 'bench/hosts/proofgate-host.ts',
      probePreload: options.probePreload,
      env: {
        NODE_ENV: 'production',
        LOG_LEVEL: 'info',
        DATABASE_URL: options.proofgateDatabaseUrl,
        REDIS_URL: options.redisUrl,
        REDIS_KEY_PREFIX: options.hostRedisPrefix,
        APP_ENC_KEY: options.appEncKey,
        DATABASE_POOL_MAX,
      },
    }),
  );
  const peerHost = await peerProcess('better-auth-host');
  const hashOnly = await started(
    startServerProcess({
      name: 'hash-only',
      entry: 'bench/peers/hash-only/server.ts',
      nodeFlags: npmStartNodeFlags(),
      probePreload: options.probePreload,
      env: { NODE_ENV: 'production', BENCH_PASSWORD },
    }),
  );
  const signInFloor = await started(
    startServerProcess({
      name: 'sign-in-floor',
      entry: 'bench/peers/sign-in-floor/server.ts',
      nodeFlags: npmStartNodeFlags(),
      probePreload: options.probePreload,
      env: {
        NODE_ENV: 'production',
        DATABASE_URL: options.proofgateDatabaseUrl,
        REDIS_URL: options.redisUrl,
        REDIS_KEY_PREFIX: `${signInFloorRedisPrefix(options.redisPrefix)}:`,
        APP_ENC_KEY: options.appEncKey,
        DATABASE_POOL_MAX,
      },
      cpuProfileDir: options.cpuProfileDir ? sideProfileDir(options.cpuProfileDir, 'sign-in-floor') : undefined,
    }),
  );
  const loginService = await started(
    startServerProcess({
      name: 'login-service',
      entry: 'bench/peers/login-service/server.ts',
      nodeFlags: npmStartNodeFlags(),
      probePreload: options.probePreload,
      env: proofgateEnv(options, loginServiceRedisPrefix(options.redisPrefix)),
      cpuProfileDir: options.cpuProfileDir ? sideProfileDir(options.cpuProfileDir, 'login-service') : undefined,
    }),
  );
  return {
    processes: {
      Proofgate: proofgate,
      'better-auth': peer,
      'better-auth cookieCache': peerCookieCache,
      'Proofgate host': proofgateHost,
      'better-auth host': peerHost,
      'hash-only HTTP': hashOnly,
      'sign-in floor': signInFloor,
      'login service': loginService,
    },
    proofgateEnv: PROOFGATE_ENV,
  };
}

export interface IdleMemory {
  server: ServerName;
  /** Right after start: a forced full collection, then a short settle. */
  startedRssBytes: number;
  /** After `idleMs` without a request: what an idle server holds (the target reads this one). */
  rssBytes: number;
  heapUsedBytes: number;
}

/** How long every server is left without requests before its idle memory is read. */
export const IDLE_WINDOW_MS = 45_000;

/**
 * Before any load, both readings of VmRSS. Right after start V8 still holds the young
 * generation the start-up grew (up to twice the semi-space cap, a full collection does not
 * give it back). Left idle, V8's memory reducer, which runs on its own in every Node process
 * some seconds after allocation stops, shrinks it; that is what an idle server holds. Every
 * server gets the same window, so the comparison stays fair.
 */
export async function measureIdleMemory(processes: Record<ServerName, ServerProcess>, settleMs = 1500, idleMs = IDLE_WINDOW_MS): Promise<IdleMemory[]> {
  const entries = Object.entries(processes) as Array<[ServerName, ServerProcess]>;
  const since = Date.now();
  await Promise.all(entries.map(([, server]) => server.probe(false, true)));
  await new Promise((resolve) => setTimeout(resolve, settleMs));
  const started = entries.map(([, process]) => process.rssBytes());
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, since + idleMs - Date.now())));
  const replies = await Promise.all(entries.map(([, server]) => server.probe()));
  return entries.map(([server, process], i) => ({
    server,
    startedRssBytes: started[i]!,
    rssBytes: process.rssBytes(),
    heapUsedBytes: replies[i]!.heapUsedBytes,
  }));
}
