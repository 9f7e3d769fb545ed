import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Argon2Bound } from './argon2-bound';
import { createPeerFixtures } from './fixtures/better-auth';
import { openProofgateFixtures, type ProofgateFixtures } from './fixtures/proofgate';
import { benchDatabasePoolMax, createBenchDatabases, DEFAULT_DATABASE_URL, DEFAULT_REDIS_URL, deleteRedisKeys, machineFacts, newRunId, redisVersion, RESULTS_DIR, type BenchDatabases } from './lib/environment';
import { renderReport, type Report, type RoundCeiling } from './lib/report';
import { compileProbePreload, type ServerProcess } from './lib/server-process';
import { runRounds } from './measure';
import { PEER_RATE_LIMIT_MAX, PEER_RATE_LIMIT_WINDOW_SECONDS } from './peers/better-auth/auth';
import { FLOOD_KINDS, roundRatio, runFlood, SCENARIO_IDS, type FloodPhase, type ScenarioContext, type ScenarioId, type ServerName } from './scenarios';
import { IDLE_WINDOW_MS, loginServiceRedisPrefix, measureIdleMemory, sideProfileDir, signInFloorRedisPrefix, startServers } from './servers';
import { FULL, QUICK, type BenchSettings } from './settings';
import { summarizeCpuProfile } from './profile-summary';
import { standaloneThreadpoolSize } from '../src/server/lib/threadpool-size';

/**
 * `npm run bench [-- --quick] [--rounds=N] [--only=session,verify] [--profile] [--skip-idle]`
 *
 * Proofgate, two better-auth peers (defaults; session cookie cache) and two host apps, each in
 * its own process on loopback, on fresh databases of the same PostgreSQL server (DATABASE_URL,
 * default the local test server) and Proofgate's limiter in Redis (REDIS_URL). autocannon
 * drives the load from this process, in rounds (measure.ts). Writes bench/results/latest.md
 * and prints it.
 */

/** better-auth's cookie cache for the second peer, as the issue asks: enabled, maxAge 300 s. */
const PEER_COOKIE_CACHE_SECONDS = 300;
const execFileAsync = promisify(execFile);

interface Args {
  quick: boolean;
  profile: boolean;
  /** Undefined: the mode's default (full 3, quick 1). */
  rounds: number | undefined;
  only: ScenarioId[];
  /** The flood scenario (Proofgate alone: a legitimate login's latency while one address floods). */
  flood: boolean;
  /** Read each server's memory after IDLE_WINDOW_MS without a request; CI's smoke run skips the wait. */
  idle: boolean;
  /**
   * The flooding address's connections; undefined: the mode's (24). More shows what a wider
   * flood from one address does, which the server alone cannot bound (docs/performance.md, Flood).
   */
  floodConnections: number | undefined;
}

const ALL_IDS = [...SCENARIO_IDS, 'flood'];
const USAGE = `use --quick, --rounds=N, --only=${ALL_IDS.join(',')}, --profile, --skip-idle, --flood-connections=N`;

/** A whole number ≥ 1 from `--name=N`. */
function wholeNumberArg(arg: string, name: string): number {
  const value = Number(arg.slice(name.length + 1));
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} needs a whole number ≥ 1, not ${arg}`);
  return value;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { quick: false, profile: false, rounds: undefined, only: [...SCENARIO_IDS], flood: true, idle: true, floodConnections: undefined };
  for (const arg of argv) {
    if (arg === '--quick') args.quick = true;
    else if (arg === '--profile') args.profile = true;
    else if (arg === '--skip-idle') args.idle = false;
    else if (arg.startsWith('--rounds=')) args.rounds = wholeNumberArg(arg, '--rounds');
    else if (arg.startsWith('--flood-connections=')) args.floodConnections = wholeNumberArg(arg, '--flood-connections');
    else if (arg.startsWith('--only=')) {
      const wanted = arg.slice('--only='.length).split(',');
      for (const id of wanted) if (!ALL_IDS.includes(id)) throw new Error(`unknown scenario ${id} (${ALL_IDS.join(', ')})`);
      args.only = SCENARIO_IDS.filter((id) => wanted.includes(id));
      args.flood = wanted.includes('flood');
    } else throw new Error(`unknown argument ${arg}: ${USAGE}`);
  }
  return args;
}

function commandLine(argv: string[]): string {
  const viaNpm = process.env.npm_lifecycle_event === 'bench';
  if (viaNpm) return `npm run bench${argv.length ? ` -- ${argv.join(' ')}` : ''}`;
  return `tsx bench/run.ts${argv.length ? ` ${argv.join(' ')}` : ''}`;
}

/** Raw hashing in its own process, with the libuv pool `npm start` gives the server (boot/threadpool.ts). */
async function measureBound(quick: boolean): Promise<Argon2Bound> {
  const { stdout } = await execFileAsync(process.execPath, ['--import', 'tsx', 'bench/argon2-bound.ts', ...(quick ? ['--quick'] : [])], {
    env: { ...process.env, UV_THREADPOOL_SIZE: process.env.UV_THREADPOOL_SIZE ?? String(standaloneThreadpoolSize()) },
  });
  return JSON.parse(stdout.trim().split('\n').pop()!) as Argon2Bound;
}

/** The flood's two kinds, once each, in the flood's round `round`; a legitimate login that failed fails the run. */
async function runFloods(ctx: ScenarioContext, round: number, rounds: number, failures: string[]): Promise<FloodPhase[]> {
  const floods: FloodPhase[] = [];
  for (const kind of FLOOD_KINDS) {
    console.error(`flood round ${round}/${rounds}: ${kind}: measuring…`);
    const phase = await runFlood(ctx, kind, round);
    floods.push(phase);
    for (const failure of phase.legitFailures) failures.push(`flood round ${round}: ${kind}: the legitimate login got ${failure}`);
    if (phase.flood.transportErrors > 0) failures.push(`flood round ${round}: ${kind}: ${phase.flood.transportErrors} transport errors in the flood`);
    console.error(
      `  legitimate login p50 ${phase.quiet.p50.toFixed(0)} ms quiet, ${phase.flooded.p50.toFixed(0)} ms flooded ` +
        `(${roundRatio(phase).toFixed(1)}×, ${phase.flooded.samples} samples); flood answers ${JSON.stringify(phase.flood.statusCodes)}`,
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return floods;
}

/** Stops `server` and summarises the CPU profile it wrote to `profileDir`. */
async function printProfile(server: ServerProcess, label: string, profileDir: string): Promise<void> {
  await server.stop();
  // The main thread's profile is the largest; a loader-hooks thread would write a small one too.
  const file = fs
    .readdirSync(profileDir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => path.join(profileDir, f))
    .sort((a, b) => fs.statSync(b).size - fs.statSync(a).size)[0];
  if (file) {
    console.log(`CPU profile of the ${label} process: ${path.relative(process.cwd(), file)}\n`);
    console.log(summarizeCpuProfile(file, 25));
  } else console.error(`no CPU profile of the ${label} process was written`);
}

function scenarioContext(
  settings: BenchSettings,
  processes: Record<ServerName, ServerProcess>,
  fixtures: ProofgateFixtures,
  stashPrefixes: ScenarioContext['stashPrefixes'],
): ScenarioContext {
  return {
    stashPrefixes,
    settings,
    urls: Object.fromEntries(Object.entries(processes).map(([name, server]) => [name, server.url])) as ScenarioContext['urls'],
    proofgate: fixtures,
    peers: {
      'better-auth': createPeerFixtures(processes['better-auth'].url),
      'better-auth cookieCache': createPeerFixtures(processes['better-auth cookieCache'].url),
      'better-auth host': createPeerFixtures(processes['better-auth host'].url),
    },
  };
}

/** bench/results/latest.md and latest.json; returns the Markdown. */
function writeReport(report: Report): string {
  const markdown = renderReport(report);
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  fs.writeFileSync(path.join(RESULTS_DIR, 'latest.md'), markdown);
  fs.writeFileSync(path.join(RESULTS_DIR, 'latest.json'), JSON.stringify(report, null, 2));
  return markdown;
}

function serverNotes(): Pick<Report, 'peerNotes' | 'hostNotes' | 'hashOnlyNotes' | 'signInFloorNotes' | 'loginServiceNotes'> {
  return {
    peerNotes: [
      `\`node --import tsx bench/peers/better-auth/server.ts\` (Express 5 + better-auth ${peerVersion()}, twoFactor plugin, NODE_ENV=production, pg Pool max ${benchDatabasePoolMax()} (the pool every bench server gets), migrations by getMigrations() at start-up), three processes on one database: defaults; \`session: { cookieCache: { enabled: true, maxAge: ${PEER_COOKIE_CACHE_SECONDS} } }\`; the host (defaults)`,
      `password hash/verify hooks on @node-rs/argon2 with Proofgate's ARGON2ID_OPTIONS`,
      `rate limiter ON, memory storage, every rule it applies here (global, /sign-in/*, /two-factor/*, /get-session) raised to ${PEER_RATE_LIMIT_MAX} per ${PEER_RATE_LIMIT_WINDOW_SECONDS} s`,
    ],
    hashOnlyNotes: [
      '`bench/peers/hash-only/server.ts` with the Node flags and thread-pool preload of `npm start`, through tsx: `node:http`, `POST /api/auth/login` answers after `verifySecret` of Proofgate\'s src/server/lib/argon2.ts (its admission limit and fair queue) and nothing else — no framework, database, throttle, session or log line: the most sign-ins per second a server can answer over HTTP here, with the load generator on the same cores',
    ],
    signInFloorNotes: [
      "`bench/peers/sign-in-floor/server.ts` with the Node flags and thread-pool preload of `npm start`, through tsx, on Proofgate's database (a Redis prefix of its own): `node:http`, `POST /api/auth/login` reads the user by email (one prepared statement), takes a point for the client's address and for the email in one Redis script, runs `verifySecret` of Proofgate's src/server/lib/argon2.ts, writes the session row and its `auth.login.succeeded` row in one statement and clears the email's counter — the round trips of Proofgate's sign-in (two to PostgreSQL, two to Redis) and nothing else: no framework, logger, device key, credential-epoch condition or factor counts; the most throttled, audited sign-ins per second a server can answer here",
      "`POST /api/auth/2fa/verify` (the verify scenario, on users of its own) takes one of the temp token's attempts from its stash (left by the fixtures as Proofgate's password step leaves it), a point for the client's address, the account's lock and its daily cap in one Redis script that returns the stash, decrypts the secret and matches the code (±1 step), then burns the step, consumes the token, opens the AAL2 session and writes its `auth.login.succeeded` row in one statement, and gives the success's points back and drops the stash in one Redis script — the round trips of Proofgate's second step and nothing else: no framework, logger, credential-epoch condition, second audit row or telemetry; the most throttled, replay-checked, audited second steps per second a server can answer here",
    ],
    loginServiceNotes: [
      "`bench/peers/login-service/server.ts` with the Node flags and thread-pool preload of `npm start`, through tsx, on Proofgate's database with Proofgate's settings (a Redis prefix of its own): `node:http` parses the JSON body and calls `accounts.login` (login) or `twoFactor.verifyLogin` (verify) of Proofgate's composition root — the same store round trips, throttles, argon2 or TOTP check, replay check, session row and audit rows as Proofgate's sign-in, without Express, its router, the request schema, the request log, the security headers, the Origin rule and the cookies",
    ],
    hostNotes: [
      `both host apps run through tsx (\`node --import tsx\`), with NODE_ENV=production and a pg pool of ${benchDatabasePoolMax()}: \`bench/hosts/proofgate-host.ts\` mounts \`createProofgate()\` (gate.router, Proofgate's database and a Redis prefix of its own, defaults otherwise) and guards \`GET /api/orders\` with \`gate.requireSession()\`; the better-auth peer's \`GET /api/orders\` calls \`auth.api.getSession({ headers: fromNodeHeaders(req.headers) })\`. Both answer \`{ user_id, orders: [] }\``,
    ],
  };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const args = parseArgs(argv);
  const modeSettings = args.quick ? QUICK : FULL;
  const settings = { ...modeSettings, flood: { ...modeSettings.flood, connections: args.floodConnections ?? modeSettings.flood.connections } };
  const rounds = args.rounds ?? settings.rounds;
  const startedAt = new Date();
  const adminUrl = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
  const redisUrl = process.env.REDIS_URL || DEFAULT_REDIS_URL;
  const runId = newRunId();
  const redisPrefix = `bench-${runId}`;
  const hostRedisPrefix = `${redisPrefix}-host`;

  const cleanups: Array<() => Promise<unknown>> = [];
  const cleanup = async () => {
    while (cleanups.length > 0) await cleanups.pop()!().catch((error: unknown) => console.error('cleanup:', error));
  };
  process.once('SIGINT', () => {
    void cleanup().finally(() => process.exit(130));
  });

  try {
    console.error(`bench ${settings.mode}, ${rounds} round${rounds === 1 ? '' : 's'}: databases on ${new URL(adminUrl).host}, Redis prefix ${redisPrefix}`);
    const databases: BenchDatabases = await createBenchDatabases(adminUrl, runId);
    cleanups.push(() => databases.drop());
    cleanups.push(() => deleteRedisKeys(redisUrl, redisPrefix));
    cleanups.push(() => deleteRedisKeys(redisUrl, hostRedisPrefix));
    const machine = machineFacts(databases.serverVersion, await redisVersion(redisUrl));

    console.error('argon2 ceiling: measuring in its own process…');
    const bound = await measureBound(args.quick);

    const appEncKey = randomBytes(32).toString('base64');
    const profileDir = args.profile ? path.join(RESULTS_DIR, 'profiles', runId) : undefined;
    const { processes, proofgateEnv } = await startServers({
      probePreload: await compileProbePreload(path.join(RESULTS_DIR, 'build')),
      proofgateDatabaseUrl: databases.proofgateUrl,
      peerDatabaseUrl: databases.peerUrl,
      redisUrl,
      redisPrefix,
      hostRedisPrefix,
      appEncKey,
      cookieCacheSeconds: PEER_COOKIE_CACHE_SECONDS,
      cpuProfileDir: profileDir,
      onStarted: (server) => cleanups.push(() => server.stop()),
    });
    // Proofgate's default (TWO_FACTOR_TEMP_TOKEN_TTL): each verify pool is made right before its run.
    const fixtures = await openProofgateFixtures({ databaseUrl: databases.proofgateUrl, appEncKeyBase64: appEncKey, tempTokenTtlSeconds: 300, redisUrl });
    cleanups.push(() => fixtures.close());
    if (args.idle) console.error(`idle memory: right after start, then after ${IDLE_WINDOW_MS / 1000} s without a request…`);
    const idle = args.idle ? await measureIdleMemory(processes) : [];

    const ctx = scenarioContext(settings, processes, fixtures, {
      Proofgate: redisPrefix,
      'login service': loginServiceRedisPrefix(redisPrefix),
      'sign-in floor': signInFloorRedisPrefix(redisPrefix),
    });
    // The machine's speed moves within minutes (one hash alone: 5–14 ms on the same day), so the
    // login's ceiling is timed again right before each round's login runs, not only at the start.
    const roundCeilings: RoundCeiling[] = [];
    const { measurements, failures } = await runRounds(ctx, processes, args.only, rounds, async (id, round) => {
      if (id !== 'login') return;
      console.error(`round ${round}/${rounds}: argon2 ceiling next to the login runs…`);
      roundCeilings.push({ round, bound: await measureBound(args.quick) });
    });
    // The flood runs as many rounds as the run, after the paired scenarios' rounds, so its verdict
    // is a median too — and after them, because a flood leaves Proofgate's heap larger (6–9 MB in
    // the rounds after it), which the paired scenarios' memory must not measure.
    const floods: FloodPhase[] = [];
    for (let round = 1; args.flood && round <= rounds; round += 1) floods.push(...(await runFloods(ctx, round, rounds, failures)));

    const report: Report = {
      startedAt,
      command: commandLine(argv),
      settings,
      rounds,
      machine,
      bound,
      roundCeilings,
      proofgateEnv,
      ...serverNotes(),
      idle,
      measurements,
      floods,
    };
    console.log(writeReport(report));

    if (failures.length > 0) {
      console.error(`bench: requests failed, so these numbers do not measure what they claim:\n  ${failures.join('\n  ')}`);
      process.exitCode = 1;
    }
    if (profileDir) {
      await printProfile(processes.Proofgate, 'Proofgate', profileDir);
      // The same sign-in work without the HTTP layer: the difference of the two is what the HTTP layer costs.
      await printProfile(processes['login service'], 'login service', sideProfileDir(profileDir, 'login-service'));
      // The same round trips with nothing around them: the difference to the login service is what Proofgate's logic costs.
      await printProfile(processes['sign-in floor'], 'sign-in floor', sideProfileDir(profileDir, 'sign-in-floor'));
    }
  } finally {
    await cleanup();
  }
}

function peerVersion(): string {
  const pkg = JSON.parse(fs.readFileSync(path.resolve('node_modules/better-auth/package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

main().catch((error: unknown) => {
  console.error('bench failed:', error);
  process.exit(1);
});
