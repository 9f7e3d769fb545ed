import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildServerBundle, bundleForNode } from '../tools/build/server-bundle';
import { AB_USAGE, abVerdict, parseAbArgs, type AbArgs } from './ab-args';
import type { ProofgateFixtures } from './fixtures/proofgate';
import { startCpuAccounting } from './lib/cpu-accounting';
import { newRunId } from './lib/environment';
import { runLoad } from './lib/load';
import { npmStartNodeFlags } from './lib/npm-start';
import { median, sideOrder } from './lib/rounds';
import { startServerProcess } from './lib/server-process';
import { openVerifyBench } from './lib/verify-bench';
import { describeFailures } from './measure';
import { proofgateVerifies } from './scenarios/second-factor';
import { FULL, QUICK, type BenchSettings } from './settings';

/**
 * `npm run bench:ab -- [--baseline=<git ref>] [--passes=N] [--a-env=NAME=value] [--b-env=NAME=value]
 *   [--a-node-flag=--flag] [--b-node-flag=--flag] [--quick]`
 *
 * Did a change make Proofgate's second login step cheaper? The full bench answers with ratios to
 * better-auth, whose own speed moves from round to round by more than most changes are worth.
 * This answers the narrower question directly: side A is the server bundle of a commit (HEAD
 * unless --baseline names another), side B the working tree's, each started as `npm start`
 * starts it (its Node flags, the bench's settings) on one fresh database. They take turns, pass
 * after pass, each pass in the other order, and each turn is a fresh process, a warm-up and a
 * measured run of the verify with single-use temp tokens. What it reports per verify is what
 * the change can move: the server's CPU and PostgreSQL's (from /proc), beside the throughput and p99,
 * and the ratio of the two, which cancels the host's speed for a change that leaves the SQL as
 * it is (on a shared host both move together, by up to a fifth from one turn to the next). Each figure is
 * compared pass by pass (B ÷ A of the same pass), and a difference is called only when a sign
 * test over the passes makes chance unlikely (ab-args.ts). The same bundle under two settings
 * (`--a-env=LOG_LEVEL=warn`) or Node flags (`--b-node-flag=--max-semi-space-size=8`, after
 * `npm start`'s own) measures what a setting costs; with no change and no setting, the run shows
 * the noise itself.
 *
 * The baseline is built from the commit's own src/ (git archive), with today's node_modules
 * and migrations: an A/B across a dependency or schema change measures the working tree's.
 */


type Side = 'A' | 'B';

interface Turn {
  side: Side;
  pass: number;
  requestsPerSecond: number;
  serverMsPerVerify: number;
  postgresMsPerVerify: number;
  p99: number;
}

/** The server bundle of `ref`'s src/, under dist/ (so its packages resolve from this checkout's node_modules). */
async function buildBaselineBundle(ref: string): Promise<{ bundle: string; commit: string }> {
  const commit = execFileSync('git', ['rev-parse', '--verify', `${ref}^{commit}`], { encoding: 'utf8' }).trim();
  const tree = fs.mkdtempSync(path.join(os.tmpdir(), 'proofgate-ab-'));
  try {
    const archive = execFileSync('git', ['archive', '--format=tar', commit, 'src'], { maxBuffer: 256 * 1024 * 1024 });
    execFileSync('tar', ['-x', '-C', tree], { input: archive });
    // dist/<name>/main.js sits as deep as dist/server/main.js: paths the server finds from its own file stay right.
    const bundle = path.resolve('dist', `ab-${commit.slice(0, 12)}`, 'main.js');
    await bundleForNode(path.join(tree, 'src', 'server', 'main.ts'), bundle);
    return { bundle, commit };
  } finally {
    fs.rmSync(tree, { recursive: true, force: true });
  }
}

/** One turn: a fresh server from `bundle`, a warm-up, then the measured verifies, each on a user and temp token of its own. */
async function runTurn(
  side: Side,
  pass: number,
  bundle: string,
  start: { env: Record<string, string>; extraNodeFlags: readonly string[] },
  ctx: { settings: BenchSettings; fixtures: ProofgateFixtures; probePreload: string },
): Promise<Turn> {
  const { env } = start;
  const { settings } = ctx;
  const prepared = await proofgateVerifies({ settings, proofgate: ctx.fixtures }, `ab-${pass}${side}`, '', env.REDIS_KEY_PREFIX);

  const nodeFlags = [...npmStartNodeFlags(), ...start.extraNodeFlags];
  const server = await startServerProcess({ name: `side ${side}`, entry: bundle, nodeFlags, probePreload: ctx.probePreload, env });
  try {
    const warm = await runLoad({ url: server.url, connections: settings.connections, ...prepared.warmup });
    const stopAccounting = startCpuAccounting(server.pid);
    const startedAt = performance.now();
    const measured = await runLoad({ url: server.url, connections: settings.connections, ...prepared.measure });
    const seconds = (performance.now() - startedAt) / 1000;
    const cpu = stopAccounting();
    // As in the full bench: a failed request means the set-up or a server is broken, and the figures mean nothing.
    const failures = [warm, measured].map(describeFailures).filter(Boolean);
    if (failures.length > 0 || measured.ok2xx === 0) throw new Error(`side ${side}, pass ${pass}: ${failures.join('; ') || 'no verify answered 2xx'}`);
    if (!cpu) throw new Error('no CPU accounting (/proc is not readable)');
    const msPerVerify = (cores: number) => (cores * seconds * 1000) / measured.ok2xx;
    return {
      side,
      pass,
      requestsPerSecond: measured.requestsPerSecond,
      serverMsPerVerify: msPerVerify(cpu.server),
      postgresMsPerVerify: msPerVerify(cpu.postgres),
      p99: measured.latencyMs.p99,
    };
  } finally {
    await server.stop();
  }
}

function printSummary(args: AbArgs, sides: Record<Side, string>, turns: Turn[]): void {
  const of = (side: Side, pick: (turn: Turn) => number) => turns.filter((turn) => turn.side === side).map(pick);
  const lines = [
    `# A/B of POST /api/auth/2fa/verify (${args.passes} passes, ${args.quick ? 'quick' : 'full'} amounts)`,
    '',
    `- A: ${sides.A}`,
    `- B: ${sides.B}`,
    '',
    '| pass | side | verifies/s | p99 ms | server CPU ms / verify | PostgreSQL CPU ms / verify | server ÷ PostgreSQL |',
    '| ---: | --- | ---: | ---: | ---: | ---: | ---: |',
    ...turns.map(
      (t) =>
        `| ${t.pass} | ${t.side} | ${t.requestsPerSecond.toFixed(0)} | ${t.p99.toFixed(0)} | ${t.serverMsPerVerify.toFixed(3)} | ${t.postgresMsPerVerify.toFixed(3)} | ${(t.serverMsPerVerify / t.postgresMsPerVerify).toFixed(3)} |`,
    ),
    '',
    '| figure | A (median) | B (median) | B ÷ A pass by pass, and what the passes resolve |',
    '| --- | ---: | ---: | --- |',
  ];
  const figures: Array<[string, (turn: Turn) => number, boolean, number]> = [
    ['server CPU ms / verify', (t) => t.serverMsPerVerify, true, 3],
    ['PostgreSQL CPU ms / verify', (t) => t.postgresMsPerVerify, true, 3],
    // The host's speed moves both processes' CPU alike from turn to turn (other tenants), so for a
    // change that leaves the SQL alone their ratio resolves differences the raw figures cannot.
    ['server CPU ÷ PostgreSQL CPU (same turn)', (t) => t.serverMsPerVerify / t.postgresMsPerVerify, true, 3],
    ['verifies/s', (t) => t.requestsPerSecond, false, 0],
    // The verify's p99 target: one turn's p99 is itself a noisy figure, so it too is judged pass by pass.
    ['p99 ms', (t) => t.p99, true, 0],
  ];
  for (const [name, pick, lowerIsBetter, digits] of figures) {
    const a = of('A', pick);
    const b = of('B', pick);
    lines.push(`| ${name} | ${median(a).toFixed(digits)} | ${median(b).toFixed(digits)} | ${abVerdict(a, b, lowerIsBetter)} |`);
  }
  console.log(lines.join('\n'));
}

const describeEnv = (env: Record<string, string>) => (Object.keys(env).length ? `, with ${Object.entries(env).map(([k, v]) => `${k}=${v}`).join(' ')}` : '');
const describeNodeFlags = (flags: readonly string[]) => (flags.length ? `, with ${flags.join(' ')} after npm start's Node flags` : '');

async function main(): Promise<void> {
  const args = parseAbArgs(process.argv.slice(2));
  const settings = args.quick ? QUICK : FULL;
  const runId = newRunId();

  const baseline = await buildBaselineBundle(args.baseline);
  const working = await buildServerBundle(path.resolve('dist', 'ab-working-tree', 'main.js'));
  const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { encoding: 'utf8' }).trim() !== '';
  const head = execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
  const sides: Record<Side, string> = {
    A: `the server bundle of ${baseline.commit.slice(0, 12)} (${args.baseline})${describeEnv(args.aEnv)}${describeNodeFlags(args.aNodeFlags)}`,
    B: `the working tree's (${dirty ? `src/ changed since ${head.slice(0, 12)}` : `src/ as ${head.slice(0, 12)}`})${describeEnv(args.bEnv)}${describeNodeFlags(args.bNodeFlags)}`,
  };
  console.error(`bench:ab ${runId}: A is ${sides.A}; B is ${sides.B}`);
  const removeBundles = () => {
    fs.rmSync(path.dirname(baseline.bundle), { recursive: true, force: true });
    fs.rmSync(path.dirname(working), { recursive: true, force: true });
  };

  const bench = await openVerifyBench(runId).catch((error: unknown) => {
    removeBundles();
    throw error;
  });
  const { fixtures, probePreload } = bench;
  try {
    const turns: Turn[] = [];
    for (let pass = 1; pass <= args.passes; pass += 1) {
      for (const side of sideOrder<Side>(['A', 'B'], pass - 1)) {
        const env = { ...bench.serverEnv(`bench-ab-${runId}-${side}${pass}`), ...(side === 'A' ? args.aEnv : args.bEnv) };
        console.error(`pass ${pass}/${args.passes}: side ${side}…`);
        const extraNodeFlags = side === 'A' ? args.aNodeFlags : args.bNodeFlags;
        const turn = await runTurn(side, pass, side === 'A' ? baseline.bundle : working, { env, extraNodeFlags }, { settings, fixtures, probePreload });
        console.error(`  ${turn.requestsPerSecond.toFixed(0)} verifies/s, server ${turn.serverMsPerVerify.toFixed(3)} ms and PostgreSQL ${turn.postgresMsPerVerify.toFixed(3)} ms of CPU per verify`);
        turns.push(turn);
      }
    }
    printSummary(args, sides, turns);
  } finally {
    await bench.close();
    removeBundles();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error && error.message.startsWith('--') ? `${error.message}: ${AB_USAGE}` : error);
  process.exit(1);
});
