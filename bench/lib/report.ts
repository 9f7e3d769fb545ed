import { npmStartNodeFlags } from './npm-start';
import type { Argon2Bound } from '../argon2-bound';
import type { ProbeReply } from '../probe/protocol';
import { roundRatio, type FloodPhase } from '../scenarios/flood';
import type { ScenarioId, ServerName } from '../scenarios/types';
import { IDLE_WINDOW_MS, type IdleMemory } from '../servers';
import type { BenchSettings } from '../settings';
import type { CpuShares } from './cpu-accounting';
import { summarizeFloods } from './flood-summary';
import type { MachineFacts } from './environment';
import type { LoadResult } from './load';
import type { Spread } from './rounds';
import { summarizeRounds, type SideSummary } from './summary';
import { ceilingOf, evaluateTargets, fmt, pct } from './targets';

export type { ServerName } from '../scenarios/types';

/** One measured run: one scenario on one server in one round. */
export interface Measurement {
  scenario: ScenarioId;
  server: ServerName;
  /** 1-based round, and where in that round's order of this scenario's servers it ran. */
  round: number;
  position: number;
  request: string;
  setupSeconds: number;
  load: LoadResult;
  probe: ProbeReply;
  /** Cores used by each group during the measured run (undefined without /proc). */
  cpu: CpuShares | undefined;
  peakRssBytes: number;
  rssSource: string;
}

export interface Report {
  startedAt: Date;
  command: string;
  settings: BenchSettings;
  rounds: number;
  machine: MachineFacts;
  bound: Argon2Bound;
  /** The same measurement right before each round's login runs; absent in reports written before it existed. */
  roundCeilings?: RoundCeiling[];
  proofgateEnv: Record<string, string>;
  peerNotes: string[];
  hostNotes: string[];
  /** The hash-only HTTP server of the login scenario; absent in reports written before it existed. */
  hashOnlyNotes?: string[];
  /** The sign-in floor of the login scenario; absent in reports written before it existed. */
  signInFloorNotes?: string[];
  /** The login service under node:http of the login and verify scenarios; absent in reports written before it existed. */
  loginServiceNotes?: string[];
  /** Each server after start, a forced garbage collection and a settle, before any load. */
  idle: IdleMemory[];
  measurements: Measurement[];
  /** The flood scenario's phases (Proofgate alone, each kind once per flood round), when it ran. */
  floods?: FloodPhase[];
}

const MB = 1e6;
const mark = (ok: boolean | undefined) => (ok === undefined ? '—' : ok ? 'met' : '**missed**');

/** Answers counted by status: "201×1295, 503×72". */
function statusCountsText(counts: Record<string, number>): string {
  return Object.entries(counts)
    .map(([status, count]) => `${status}×${count}`)
    .join(', ');
}

/** "median (min–max)" when there was more than one round. */
function cell(s: Spread, digits = 0): string {
  if (s.rounds <= 1 || s.min === s.max) return fmt(s.median, digits);
  return `${fmt(s.median, digits)} (${fmt(s.min, digits)}–${fmt(s.max, digits)})`;
}

function header(report: Report): string[] {
  const { machine, settings } = report;
  return [
    `# Proofgate benchmark — ${report.startedAt.toISOString()}`,
    '',
    `Command: \`${report.command}\` (${settings.mode} mode, ${report.rounds} round${report.rounds === 1 ? '' : 's'}, ${settings.connections} connections per run)`,
    '',
    `Machine: ${machine.cores} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB, Node ${machine.node}, ` +
      `PostgreSQL ${machine.postgres}, Redis ${machine.redis}, libuv threadpool ${machine.threadpoolSize}, ` +
      `load average at start ${machine.loadAverage}. Load generator (autocannon, in the bench process), every server, ` +
      'PostgreSQL and Redis share these cores.',
    '',
    `Each round runs every scenario on each of its servers (prepare, warm up, measure); the order of the servers alternates ` +
      `from round to round (Proofgate first, then last, then first …). Every figure below is the median across rounds, with the ` +
      `lowest and highest round in brackets; every ratio is a ratio of medians.`,
    '',
  ];
}

export interface RoundCeiling {
  round: number;
  bound: Argon2Bound;
}

function roundCeilingLine(report: Report): string[] {
  const rounds = report.roundCeilings ?? [];
  if (rounds.length === 0) return [];
  const timed = rounds.map((r) => `round ${r.round}: ${fmt(ceilingOf(r.bound) ?? Number.NaN)}/s (one hash alone ${fmt(r.bound.singleHashMs, 2)} ms)`);
  return [
    `Timed the same way again right before each round's login runs, which is what the login target reads (the median of these): ${timed.join('; ')}.`,
    '',
  ];
}

function boundSection(report: Report): string[] {
  const { bound } = report;
  const ceiling = ceilingOf(bound);
  return [
    '## argon2id ceiling (same library and parameters: m=19456 KiB, t=2, p=1)',
    '',
    `Proofgate hands at most **${bound.serverConcurrency}** argon2 jobs at once to libuv's pool of ${bound.threadpoolSize} threads (ARGON2_MAX_CONCURRENT; never more running than threads). Raw argon2id with that many in flight and the same pool, ` +
      `in its own process with nothing else running, after every pool thread has hashed once: **${ceiling !== undefined ? fmt(ceiling) : 'n/a'} hashes/s** — the login ceiling. ` +
      `Each level is timed twice (levels in order, then in reverse) and the higher timing kept: ` +
      `${bound.parallel.map((p) => `${fmt(p.hashesPerSecond)}/s with ${p.concurrency} in flight (${p.passes.map((v) => fmt(v)).join(' and ')})`).join(', ')}; ` +
      `one hash alone ${fmt(bound.singleHashMs, 2)} ms (verify ${fmt(bound.singleVerifyMs, 2)} ms), so ${bound.cores} cores ÷ one hash = ` +
      `${fmt(bound.boundPerSecond)}/s if the cores hashed independently${ceiling !== undefined ? ` (raw hashing reaches ${pct(ceiling / bound.boundPerSecond)} of that)` : ''}.`,
    '',
    ...roundCeilingLine(report),
  ];
}

function resultsSection(summaries: readonly SideSummary[]): string[] {
  const lines = [
    '## Results',
    '',
    '| scenario | server | req/s (2xx) | p50 ms | p99 ms | peak RSS MB | event-loop p99 ms | server CPU ms / req | argon2 verify / req | 2xx | non-2xx | transport errors |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const s of summaries) {
    const failures = statusCountsText(s.non2xxByStatus);
    lines.push(
      `| ${s.scenario} | ${s.server} | ${cell(s.requestsPerSecond)} | ${cell(s.p50Ms)} | ${cell(s.p99Ms)} | ${cell(s.peakRssMB)} | ` +
        `${cell(s.eventLoopP99Ms, 1)} | ${cell(s.cpuMsPerRequest, 2)} | ${fmt(s.argon2VerifyPerRequest.median, 2)} | ${s.ok2xx} | ` +
        `${s.non2xx > 0 ? `${s.non2xx} (${failures})` : '0'} | ${s.transportErrors}${s.timeouts ? ` (${s.timeouts} timeouts)` : ''} |`,
    );
  }
  lines.push('');
  return lines;
}

function idleMemoryLines(report: Report): string[] {
  if (report.idle.length === 0) return ['Memory of each server before any load: not read in this run (`--skip-idle`).'];
  return [
    `Memory of each server before any load: right after start (a forced full garbage collection, then a 1.5 s settle), and idle (${IDLE_WINDOW_MS / 1000} s without a request, by when V8's memory reducer has given back the young generation the start-up grew; the idle target reads this one):`,
    '',
    '| server | RSS after start MB | idle RSS MB | V8 heap used MB (idle) |',
    '| --- | ---: | ---: | ---: |',
    ...report.idle.map((i) => `| ${i.server} | ${fmt(i.startedRssBytes / MB)} | ${fmt(i.rssBytes / MB)} | ${fmt(i.heapUsedBytes / MB)} |`),
  ];
}

function memorySection(report: Report, summaries: readonly SideSummary[]): string[] {
  const lines = [
    ...idleMemoryLines(report),
    '',
    'Memory at the end of each measured run (medians; peak RSS is in the table above):',
    '',
    '| scenario | server | RSS MB | V8 heap total MB | V8 heap used MB | external MB |',
    '| --- | --- | ---: | ---: | ---: | ---: |',
  ];
  for (const s of summaries) {
    const m = s.endMemoryMB;
    lines.push(`| ${s.scenario} | ${s.server} | ${[m.rss, m.heapTotal, m.heapUsed, m.external].map((n) => fmt(n)).join(' | ')} |`);
  }
  lines.push('');
  return lines;
}

function cpuSection(report: Report, summaries: readonly SideSummary[]): string[] {
  if (!summaries.some((s) => s.cpu)) return [];
  const lines = [
    `CPU during the measured runs, in cores of ${report.machine.cores} (medians; from /proc; "other" is everything else on the machine, the idle servers included). ` +
      'The last two columns are the server\'s main thread alone, from the scheduler\'s accounting (/proc/[pid]/task/[pid]/schedstat): the share of the run it ran, ' +
      'and the share it was ready to run but waited for a core, while every request in flight waited with it:',
    '',
    '| scenario | server | server | load generator | postgres | redis | other | idle | main thread running | main thread waiting for a core |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const s of summaries) {
    if (!s.cpu) continue;
    const c = s.cpu;
    const main = c.mainThread ? [fmt(c.mainThread.running, 2), fmt(c.mainThread.waiting, 2)] : ['n/a', 'n/a'];
    lines.push(`| ${s.scenario} | ${s.server} | ${[c.server, c['load generator'], c.postgres, c.redis, c.other, c.idle].map((n) => fmt(n, 2)).join(' | ')} | ${main.join(' | ')} |`);
  }
  lines.push('');
  return lines;
}

function floodSection(report: Report): string[] {
  if (!report.floods || report.floods.length === 0) return [];
  const lines = [
    '## Flood: a legitimate login while one address floods (Proofgate alone, as many rounds as the run, after the paired rounds)',
    '',
    '| flood | legit p50 quiet ms | legit p50 flooded ms | ratio | legit p90 flooded ms | legit max flooded ms | samples | legit failures | flood answers |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |',
  ];
  for (const f of summarizeFloods(report.floods)) {
    const answers = statusCountsText(f.floodAnswers);
    const ratio = `${fmt(f.ratio, 1)}×${f.rounds > 1 ? ` (rounds ${fmt(f.roundRatios.min, 1)}–${fmt(f.roundRatios.max, 1)}×)` : ''}`;
    lines.push(
      `| ${f.kind} | ${cell(f.quietP50)} | ${cell(f.floodedP50)} | ${ratio} | ${cell(f.floodedP90)} | ${cell(f.floodedMax)} | ` +
        `${f.samples} | ${f.legitFailures.length > 0 ? f.legitFailures.join(', ') : 'none'} | ${answers} |`,
    );
  }
  lines.push('');
  if (report.rounds > 1) {
    lines.push(
      'Every flood round:',
      '',
      '| round | flood | legit p50 quiet ms | legit p50 flooded ms | ratio | legit p90 flooded ms | samples | flood answers |',
      '| ---: | --- | ---: | ---: | ---: | ---: | ---: | --- |',
    );
    for (const f of report.floods) {
      const answers = statusCountsText(f.flood.statusCodes);
      lines.push(
        `| ${f.round} | ${f.kind} | ${fmt(f.quiet.p50)} | ${fmt(f.flooded.p50)} | ${fmt(roundRatio(f), 1)}× | ${fmt(f.flooded.p90)} | ${f.flooded.samples} | ${answers} |`,
      );
    }
    lines.push('');
  }
  return lines;
}

function targetSection(report: Report, summaries: readonly SideSummary[]): string[] {
  return [
    '## Ratios and targets',
    '',
    '| target | measured (medians across rounds) | verdict |',
    '| --- | --- | --- |',
    ...evaluateTargets(report, summaries).map((row) => `| ${row.target} | ${row.measured} | ${mark(row.met)} |`),
    '',
  ];
}

function roundsSection(report: Report): string[] {
  if (report.rounds <= 1 || report.measurements.length === 0) return [];
  const lines = [
    '## Every round',
    '',
    '| round | scenario | order | server | req/s | p50 ms | p99 ms | peak RSS MB | event-loop p99 ms | other cores |',
    '| ---: | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const m of report.measurements) {
    lines.push(
      `| ${m.round} | ${m.scenario} | ${m.position} | ${m.server} | ${fmt(m.load.requestsPerSecond)} | ${fmt(m.load.latencyMs.p50)} | ${fmt(m.load.latencyMs.p99)} | ` +
        `${fmt(m.peakRssBytes / MB)} | ${fmt(m.probe.eventLoopDelayMs.p99, 1)} | ${m.cpu ? fmt(m.cpu.other, 2) : 'n/a'} |`,
    );
  }
  lines.push('');
  return lines;
}

function whatRanSection(report: Report, summaries: readonly SideSummary[]): string[] {
  const lines = ['## What ran', ''];
  for (const s of summaries) {
    lines.push(
      `- ${s.scenario} / ${s.server}: ${s.request}; set-up ${fmt(s.setupSeconds.median, 1)} s per round (not measured); ` +
        `${fmt(s.measuredSeconds.median, 1)} s measured per round; peak RSS from ${s.rssSource}.`,
    );
  }
  lines.push(
    `- Proofgate: \`node ${npmStartNodeFlags().join(' ')} dist/server/main.js\` (the bundle and flags of \`npm start\`) with ${Object.entries(report.proofgateEnv).map(([k, v]) => `${k}=${v}`).join(' ')}.`,
  );
  for (const note of report.hostNotes) lines.push(`- hosts: ${note}`);
  for (const f of summarizeFloods(report.floods ?? [])) lines.push(`- flood / ${f.kind}: ${f.request}; ${f.rounds} round${f.rounds === 1 ? '' : 's'} after the paired scenarios' rounds.`);
  for (const note of report.peerNotes) lines.push(`- better-auth: ${note}`);
  for (const note of report.hashOnlyNotes ?? []) lines.push(`- hash-only HTTP: ${note}`);
  for (const note of report.signInFloorNotes ?? []) lines.push(`- sign-in floor: ${note}`);
  for (const note of report.loginServiceNotes ?? []) lines.push(`- login service: ${note}`);
  lines.push('');
  return lines;
}

export function renderReport(report: Report): string {
  const summaries = summarizeRounds(report.measurements);
  return [
    ...header(report),
    ...boundSection(report),
    ...resultsSection(summaries),
    ...memorySection(report, summaries),
    ...cpuSection(report, summaries),
    ...floodSection(report),
    ...targetSection(report, summaries),
    ...roundsSection(report),
    ...whatRanSection(report, summaries),
  ].join('\n');
}
