import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Argon2Bound } from './argon2-bound';
import { createPeerFixtures } from './fixtures/better-auth';
import { openProofgateFixtures } from './fixtures/proofgate';
import { createBenchDatabases, deleteRedisKeys, machineFacts, newRunId, redisVersion, type BenchDatabases } from './lib/environment';
import { startCpuAccounting } from './lib/cpu-accounting';
import { runLoad, type LoadResult } from './lib/load';
import { renderReport, type Measurement, type Report, type ServerName } from './lib/report';
import { compileProbePreload, startServerProcess, type ServerProcess } from './lib/server-process';
import { buildServerBundle, serverBundle } from '../tools/build/server-bundle';
import { PEER_RATE_LIMIT_MAX, PEER_RATE_LIMIT_WINDOW_SECONDS } from './peers/better-auth/auth';
import { FLOOD_KINDS, runFlood, SCENARIO_IDS, SCENARIOS, type FloodPhase, type RunPlan, type ScenarioContext, type ScenarioId } from './scenarios';
import { FULL, QUICK } from './settings';
import { summarizeCpuProfile } from './profile-summary';

/**
 * `npm run bench [-- --quick] [--only=session,verify] [--profile]`
 *
 * Proofgate and a better-auth peer, each in its own process on loopback, on fresh databases of
 * the same PostgreSQL server (DATABASE_URL, default the local test server) and Proofgate's
 * limiter in Redis (REDIS_URL). autocannon drives the load from this process. Writes
 * bench/results/latest.md and prints it.
 */

const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';
const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
const RESULTS_DIR = path.resolve('bench/results');
const execFileAsync = promisify(execFile);

interface Args {
  quick: boolean;
  profile: boolean;
  only: ScenarioId[];
  /** The flood scenario (Proofgate alone: a legitimate login's latency while one address floods). */
  flood: boolean;
}

const ALL_IDS = [...SCENARIO_IDS, 'flood'];

function parseArgs(argv: string[]): Args {
  const args: Args = { quick: false, profile: false, only: [...SCENARIO_IDS], flood: true };
  for (const arg of argv) {
    if (arg === '--quick') args.quick = true;
    else if (arg === '--profile') args.profile = true;
    else if (arg.startsWith('--only=')) {
      const wanted = arg.slice('--only='.length).split(',');
      for (const id of wanted) if (!ALL_IDS.includes(id)) throw new Error(`unknown scenario ${id} (${ALL_IDS.join(', ')})`);
      args.only = wanted.filter((id): id is ScenarioId => SCENARIO_IDS.includes(id as ScenarioId));
      args.flood = wanted.includes('flood');
    } else throw new Error(`unknown argument ${arg}: use --quick, --only=${ALL_IDS.join(',')}, --profile`);
  }
  return args;
}

function commandLine(argv: string[]): string {
  const viaNpm = process.env.npm_lifecycle_event === 'bench';
  if (viaNpm) return `npm run bench${argv.length ? ` -- ${argv.join(' ')}` : ''}`;
  return `tsx bench/run.ts${argv.length ? ` ${argv.join(' ')}` : ''}`;
}

async function measureBound(quick: boolean): Promise<Argon2Bound> {
  const { stdout } = await execFileAsync(process.execPath, ['--import', 'tsx', 'bench/argon2-bound.ts', ...(quick ? ['--quick'] : [])], {
    env: process.env,
  });
  return JSON.parse(stdout.trim().split('\n').pop()!) as Argon2Bound;
}

function describeFailures(load: LoadResult): string {
  const statuses = Object.entries(load.statusCodes)
    .filter(([code]) => !code.startsWith('2'))
    .map(([code, n]) => `HTTP ${code} x${n}`);
  return [...statuses, ...(load.transportErrors > 0 ? [`${load.transportErrors} transport errors`] : [])].join(', ');
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function measure(server: ServerProcess, plan: RunPlan, connections: number) {
  await server.probe(true);
  server.memory.start();
  const stopCpu = startCpuAccounting(server.pid);
  const load = await runLoad({ url: server.url, connections, requests: plan.requests, amount: plan.amount, durationSeconds: plan.durationSeconds });
  const cpu = stopCpu();
  const memory = server.memory.stop();
  const probe = await server.probe();
  return { load, probe, memory, cpu };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const args = parseArgs(argv);
  const settings = args.quick ? QUICK : FULL;
  const startedAt = new Date();
  const adminUrl = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
  const redisUrl = process.env.REDIS_URL || DEFAULT_REDIS_URL;
  const runId = newRunId();
  const redisPrefix = `bench-${runId}`;

  const cleanups: Array<() => Promise<unknown>> = [];
  const cleanup = async () => {
    while (cleanups.length > 0) await cleanups.pop()!().catch((error: unknown) => console.error('cleanup:', error));
  };
  process.once('SIGINT', () => {
    void cleanup().finally(() => process.exit(130));
  });

  try {
    console.error(`bench ${settings.mode}: databases on ${new URL(adminUrl).host}, Redis prefix ${redisPrefix}`);
    const databases: BenchDatabases = await createBenchDatabases(adminUrl, runId);
    cleanups.push(() => databases.drop());
    cleanups.push(() => deleteRedisKeys(redisUrl, redisPrefix));
    const machine = machineFacts(databases.serverVersion, await redisVersion(redisUrl));

    console.error('argon2 bound: measuring in its own process…');
    const bound = await measureBound(args.quick);

    const appEncKey = randomBytes(32).toString('base64');
    // Proofgate's default (TWO_FACTOR_TEMP_TOKEN_TTL): each verify pool is made right before its run.
    const tempTokenTtlSeconds = 300;
    // Every throttle stays on, at its default threshold: valid credentials refund their points
    // (or reset the counter), so one client with valid credentials only ever holds as many
    // points as it has requests in flight (≤ connections), below every per-IP limit.
    // Except registration, which only the flood scenario uses: raised so that its flood reaches
    // argon2 and the run measures the fair queue rather than the 429 the throttle would answer.
    // TRUST_PROXY=loopback lets that scenario pick client addresses with X-Forwarded-For; the
    // other scenarios send none, so they are all 127.0.0.1 as before.
    const proofgateEnv: Record<string, string> = {
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      SERVE_WEB: 'false',
      DATABASE_POOL_MAX: '20',
      TRUST_PROXY: 'loopback',
      REGISTER_IP_MAX_PER_HOUR: '1000000',
      REGISTER_GLOBAL_MAX_PER_HOUR: '10000000',
    };
    const profileDir = args.profile ? path.join(RESULTS_DIR, 'profiles', runId) : undefined;
    // Proofgate runs as `npm start` runs it: the bundle of the current sources, no loader.
    const [, probePreload] = await Promise.all([buildServerBundle(), compileProbePreload(path.join(RESULTS_DIR, 'build'))]);
    const proofgate = await startServerProcess({
      name: 'proofgate',
      entry: serverBundle,
      probePreload,
      env: { ...proofgateEnv, DATABASE_URL: databases.proofgateUrl, REDIS_URL: redisUrl, REDIS_KEY_PREFIX: redisPrefix, APP_ENC_KEY: appEncKey },
      cpuProfileDir: profileDir,
    });
    cleanups.push(() => proofgate.stop());
    const peer = await startServerProcess({
      name: 'better-auth',
      entry: 'bench/peers/better-auth/server.ts',
      probePreload,
      env: { NODE_ENV: 'production', DATABASE_URL: databases.peerUrl, BETTER_AUTH_SECRET: randomBytes(32).toString('hex'), DATABASE_POOL_MAX: '20' },
    });
    cleanups.push(() => peer.stop());

    const fixtures = await openProofgateFixtures({ databaseUrl: databases.proofgateUrl, appEncKeyBase64: appEncKey, tempTokenTtlSeconds });
    cleanups.push(() => fixtures.close());
    const ctx: ScenarioContext = {
      settings,
      proofgateUrl: proofgate.url,
      peerUrl: peer.url,
      proofgate: fixtures,
      peer: createPeerFixtures(peer.url),
    };

    const measurements: Measurement[] = [];
    // Speed is never asserted; a request that failed means the set-up or a server is broken.
    const failures: string[] = [];
    for (const id of args.only) {
      const scenario = SCENARIOS[id];
      for (const [server, name] of [
        [proofgate, 'Proofgate'],
        [peer, 'better-auth'],
      ] as Array<[ServerProcess, ServerName]>) {
        const setupStart = performance.now();
        const prepared = await (name === 'Proofgate' ? scenario.proofgate(ctx) : scenario.peer(ctx));
        const setupSeconds = (performance.now() - setupStart) / 1000;
        const warmup = await runLoad({ url: server.url, connections: settings.connections, ...prepared.warmup });
        if (warmup.non2xx > 0 || warmup.transportErrors > 0) failures.push(`${id} / ${name} warm-up: ${describeFailures(warmup)}`);
        await pause(500);
        console.error(`${id} / ${name}: measuring…`);
        const { load, probe, memory, cpu } = await measure(server, prepared.measure, settings.connections);
        measurements.push({
          scenario: id,
          server: name,
          request: prepared.request,
          setupSeconds,
          load,
          probe,
          cpu,
          peakRssBytes: memory.peakRssBytes,
          rssSource: memory.source,
        });
        if (load.non2xx > 0 || load.transportErrors > 0) failures.push(`${id} / ${name}: ${describeFailures(load)}`);
        console.error(
          `  ${load.requestsPerSecond.toFixed(0)} req/s, p50 ${load.latencyMs.p50} ms, p99 ${load.latencyMs.p99} ms, ` +
            `non-2xx ${load.non2xx}, errors ${load.transportErrors}, argon2 verify ${probe.argon2Verify}, EL p99 ${probe.eventLoopDelayMs.p99.toFixed(1)} ms`,
        );
        await pause(500);
      }
    }

    const floods: FloodPhase[] = [];
    if (args.flood) {
      for (const kind of FLOOD_KINDS) {
        console.error(`flood / ${kind}: measuring…`);
        const phase = await runFlood(ctx, kind);
        floods.push(phase);
        for (const failure of phase.legitFailures) failures.push(`flood / ${kind}: the legitimate login got ${failure}`);
        if (phase.flood.transportErrors > 0) failures.push(`flood / ${kind}: ${phase.flood.transportErrors} transport errors in the flood`);
        console.error(
          `  legitimate login p50 ${phase.quiet.p50.toFixed(0)} ms quiet, ${phase.flooded.p50.toFixed(0)} ms flooded ` +
            `(${(phase.flooded.p50 / phase.quiet.p50).toFixed(1)}×, ${phase.flooded.samples} samples); flood answers ${JSON.stringify(phase.flood.statusCodes)}`,
        );
        await pause(500);
      }
    }

    const report: Report = {
      startedAt,
      command: commandLine(argv),
      settings,
      machine,
      bound,
      proofgateEnv,
      peerNotes: [
        `\`node --import tsx bench/peers/better-auth/server.ts\` (Express 5 + better-auth ${await peerVersion()}, twoFactor plugin, NODE_ENV=production, pg Pool max 20, migrations by getMigrations() at start-up)`,
        `password hash/verify hooks on @node-rs/argon2 with Proofgate's ARGON2ID_OPTIONS`,
        `rate limiter ON, memory storage, every rule it applies here (global, /sign-in/*, /two-factor/*) raised to ${PEER_RATE_LIMIT_MAX} per ${PEER_RATE_LIMIT_WINDOW_SECONDS} s`,
      ],
      measurements,
      floods,
    };
    const markdown = renderReport(report);
    fs.mkdirSync(RESULTS_DIR, { recursive: true });
    fs.writeFileSync(path.join(RESULTS_DIR, 'latest.md'), markdown);
    fs.writeFileSync(path.join(RESULTS_DIR, 'latest.json'), JSON.stringify(report, null, 2));
    console.log(markdown);

    if (failures.length > 0) {
      console.error(`bench: requests failed, so these numbers do not measure what they claim:\n  ${failures.join('\n  ')}`);
      process.exitCode = 1;
    }

    if (profileDir) {
      await proofgate.stop();
      // The main thread's profile is the largest; the loader-hooks thread writes a small one too.
      const file = fs
        .readdirSync(profileDir)
        .filter((f) => f.endsWith('.cpuprofile'))
        .map((f) => path.join(profileDir, f))
        .sort((a, b) => fs.statSync(b).size - fs.statSync(a).size)[0];
      if (file) {
        console.log(`CPU profile of the Proofgate process: ${path.relative(process.cwd(), file)}\n`);
        console.log(summarizeCpuProfile(file, 25));
      } else console.error('no CPU profile was written');
    }
  } finally {
    await cleanup();
  }
}

async function peerVersion(): Promise<string> {
  const pkg = JSON.parse(fs.readFileSync(path.resolve('node_modules/better-auth/package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

main().catch((error: unknown) => {
  console.error('bench failed:', error);
  process.exit(1);
});
