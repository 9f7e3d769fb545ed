import type { Argon2Bound } from '../argon2-bound';
import type { ProbeReply } from '../probe/protocol';
import type { FloodPhase, ScenarioId } from '../scenarios';
import type { BenchSettings } from '../settings';
import type { CpuShares } from './cpu-accounting';
import type { MachineFacts } from './environment';
import type { LoadResult } from './load';

export type ServerName = 'Proofgate' | 'better-auth';

export interface Measurement {
  scenario: ScenarioId;
  server: ServerName;
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
  machine: MachineFacts;
  bound: Argon2Bound;
  proofgateEnv: Record<string, string>;
  peerNotes: string[];
  measurements: Measurement[];
  /** The flood scenario's phases (Proofgate alone), when it ran. */
  floods?: FloodPhase[];
}

/** The issue's targets (GitHub issue 10), as ratios from the same run. */
export const TARGETS = {
  verifyThroughputRatio: 3,
  verifyP99Ratio: 1 / 3,
  sessionThroughputRatio: 2,
  loginBoundFraction: 0.9,
  loginEventLoopP99Ms: 20,
  peakRssMB: 250,
  /** A legitimate login while one address floods, against its quiet latency in the same run (issue 2). */
  floodLoginRatio: 5,
} as const;

const MB = 1e6;
const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : 'n/a');
const pct = (n: number) => `${fmt(n * 100, 1)} %`;
const mark = (ok: boolean | undefined) => (ok === undefined ? '—' : ok ? 'met' : '**missed**');

function find(report: Report, scenario: ScenarioId, server: ServerName) {
  return report.measurements.find((m) => m.scenario === scenario && m.server === server);
}

export interface TargetRow {
  target: string;
  measured: string;
  met: boolean | undefined;
}

export function evaluateTargets(report: Report): TargetRow[] {
  const rows: TargetRow[] = [];
  const ratio = (scenario: ScenarioId) => {
    const p = find(report, scenario, 'Proofgate');
    const b = find(report, scenario, 'better-auth');
    return p && b ? { p, b, rps: p.load.requestsPerSecond / b.load.requestsPerSecond, p99: p.load.latencyMs.p99 / b.load.latencyMs.p99 } : undefined;
  };
  const verify = ratio('verify');
  if (verify) {
    const caveat = unevenMachine(verify.p, verify.b);
    rows.push({ target: 'verify throughput ≥ 3× better-auth', measured: `${fmt(verify.rps, 2)}×${caveat}`, met: verify.rps >= TARGETS.verifyThroughputRatio });
    rows.push({
      target: 'verify p99 ≤ ⅓ of better-auth',
      measured: `${fmt(verify.p99, 2)}× (${fmt(verify.p.load.latencyMs.p99)} vs ${fmt(verify.b.load.latencyMs.p99)} ms)${caveat}`,
      met: verify.p99 <= TARGETS.verifyP99Ratio,
    });
  }
  const session = ratio('session');
  if (session) {
    rows.push({
      target: 'session throughput ≥ 2× better-auth',
      measured: `${fmt(session.rps, 2)}×${unevenMachine(session.p, session.b)}`,
      met: session.rps >= TARGETS.sessionThroughputRatio,
    });
  }
  const login = find(report, 'login', 'Proofgate');
  if (login) {
    const fraction = login.load.requestsPerSecond / report.bound.boundPerSecond;
    const rawParallel = report.bound.parallel.find((p) => p.concurrency === report.bound.cores);
    const ceiling = rawParallel ? `; raw hashing, ${rawParallel.concurrency} in flight: ${pct(rawParallel.hashesPerSecond / report.bound.boundPerSecond)}` : '';
    rows.push({
      target: 'login ≥ 90 % of the argon2 bound',
      measured: `${pct(fraction)} (${fmt(login.load.requestsPerSecond)} of ${fmt(report.bound.boundPerSecond)}/s${ceiling})`,
      met: fraction >= TARGETS.loginBoundFraction,
    });
    const el = login.probe.eventLoopDelayMs.p99;
    rows.push({ target: 'event-loop delay p99 during login ≤ 20 ms', measured: `${fmt(el, 1)} ms`, met: el <= TARGETS.loginEventLoopP99Ms });
  }
  const proofgateRuns = report.measurements.filter((m) => m.server === 'Proofgate');
  if (proofgateRuns.length > 0) {
    const worst = proofgateRuns.reduce((a, b) => (a.peakRssBytes >= b.peakRssBytes ? a : b));
    rows.push({ target: 'Proofgate peak RSS ≤ 250 MB in every scenario', measured: `max ${fmt(worst.peakRssBytes / MB)} MB (${worst.scenario})`, met: worst.peakRssBytes / MB <= TARGETS.peakRssMB });
  }
  const backup = find(report, 'backup-code', 'Proofgate');
  if (backup && backup.load.responses > 0) {
    const perAttempt = backup.probe.argon2Verify / backup.load.responses;
    rows.push({ target: 'backup code: one argon2 verification per attempt', measured: `${fmt(perAttempt, 2)} per attempt`, met: Math.abs(perAttempt - 1) < 0.01 });
  }
  for (const phase of report.floods ?? []) {
    const ratio = phase.flooded.p50 / phase.quiet.p50;
    rows.push({
      target: `legitimate login p50 during a ${phase.kind} flood ≤ 5× quiet`,
      measured: `${fmt(ratio, 1)}× (${fmt(phase.flooded.p50)} vs ${fmt(phase.quiet.p50)} ms)`,
      met: phase.legitFailures.length === 0 && ratio <= TARGETS.floodLoginRatio,
    });
  }
  return rows;
}

/** Other jobs on the machine took noticeably different CPU during the two runs of a pair. */
export const UNEVEN_OTHER_CORES = 0.3;

function unevenMachine(p: Measurement, b: Measurement): string {
  if (!p.cpu || !b.cpu) return '';
  const difference = p.cpu.other - b.cpu.other;
  if (Math.abs(difference) < UNEVEN_OTHER_CORES) return '';
  const side = difference > 0 ? 'Proofgate' : 'better-auth';
  return ` (uneven: other jobs took ${fmt(Math.abs(difference), 2)} more cores during ${side}'s run)`;
}

export function renderReport(report: Report): string {
  const { machine, bound, settings } = report;
  const lines: string[] = [];
  lines.push(`# Proofgate benchmark — ${report.startedAt.toISOString()}`, '');
  lines.push(`Command: \`${report.command}\` (${settings.mode} mode, ${settings.connections} connections per run)`, '');
  lines.push(
    `Machine: ${machine.cores} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB, Node ${machine.node}, ` +
      `PostgreSQL ${machine.postgres}, Redis ${machine.redis}, libuv threadpool ${machine.threadpoolSize}, ` +
      `load average at start ${machine.loadAverage}. Load generator (autocannon, in the bench process), both servers, ` +
      'PostgreSQL and Redis share these cores.',
    '',
  );
  lines.push('## argon2id bound (same library and parameters: m=19456 KiB, t=2, p=1)', '');
  lines.push(
    `One hash alone: ${fmt(bound.singleHashMs, 2)} ms (verify: ${fmt(bound.singleVerifyMs, 2)} ms) → bound = ${bound.cores} cores ÷ ` +
      `${fmt(bound.singleHashMs, 2)} ms = **${fmt(bound.boundPerSecond)} hashes/s**. Measured: ` +
      bound.parallel.map((p) => `${fmt(p.hashesPerSecond)}/s with ${p.concurrency} in flight (${pct(p.hashesPerSecond / bound.boundPerSecond)} of the bound)`).join(', ') +
      '. The parallel figure is the ceiling for logins here: hashing alone, nothing else running in that process.',
    '',
  );
  lines.push('## Results', '');
  lines.push(
    '| scenario | server | req/s (2xx) | p50 ms | p99 ms | 2xx | non-2xx | transport errors | peak RSS MB | argon2 verify / req | event-loop p99 ms | server CPU ms / req |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const m of report.measurements) {
    const l = m.load;
    const perReq = (n: number) => (l.responses > 0 ? n / l.responses : Number.NaN);
    const non2xx = l.non2xx > 0 ? `${l.non2xx} (${Object.entries(l.statusCodes).filter(([c]) => !c.startsWith('2')).map(([c, n]) => `${c}×${n}`).join(', ')})` : '0';
    lines.push(
      `| ${m.scenario} | ${m.server} | ${fmt(l.requestsPerSecond)} | ${fmt(l.latencyMs.p50)} | ${fmt(l.latencyMs.p99)} | ${l.ok2xx} | ${non2xx} | ` +
        `${l.transportErrors}${l.timeouts ? ` (${l.timeouts} timeouts)` : ''} | ${fmt(m.peakRssBytes / MB)} | ${fmt(perReq(m.probe.argon2Verify), 2)} | ` +
        `${fmt(m.probe.eventLoopDelayMs.p99, 1)} | ${fmt(perReq(m.probe.cpuMs), 2)} |`,
    );
  }
  lines.push('');
  if (report.measurements.some((m) => m.cpu)) {
    lines.push(`CPU during each measured run, in cores of ${machine.cores} (from /proc; "other" is everything else on the machine):`, '');
    lines.push('| scenario | server | server | load generator | postgres | redis | other | idle |', '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const m of report.measurements) {
      if (!m.cpu) continue;
      const c = m.cpu;
      lines.push(`| ${m.scenario} | ${m.server} | ${[c.server, c['load generator'], c.postgres, c.redis, c.other, c.idle].map((n) => fmt(n, 2)).join(' | ')} |`);
    }
    lines.push('');
  }
  lines.push('Memory of each server at the end of its measured run (peak RSS is in the table above):', '');
  lines.push('| scenario | server | RSS MB | V8 heap total MB | V8 heap used MB | external MB |', '| --- | --- | ---: | ---: | ---: | ---: |');
  for (const m of report.measurements) {
    const p = m.probe;
    lines.push(`| ${m.scenario} | ${m.server} | ${[p.rssBytes, p.heapTotalBytes, p.heapUsedBytes, p.externalBytes].map((n) => fmt(n / MB)).join(' | ')} |`);
  }
  lines.push('');
  if (report.floods && report.floods.length > 0) {
    lines.push('## Flood: a legitimate login while one address floods (Proofgate alone)', '');
    lines.push(
      '| flood | legit p50 quiet ms | legit p50 flooded ms | ratio | legit p90 flooded ms | legit max flooded ms | samples | legit failures | flood answers |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |',
    );
    for (const f of report.floods) {
      const answers = Object.entries(f.flood.statusCodes).map(([c, n]) => `${c}×${n}`).join(', ');
      lines.push(
        `| ${f.kind} | ${fmt(f.quiet.p50)} | ${fmt(f.flooded.p50)} | ${fmt(f.flooded.p50 / f.quiet.p50, 1)}× | ${fmt(f.flooded.p90)} | ${fmt(f.flooded.max)} | ` +
          `${f.flooded.samples} | ${f.legitFailures.length > 0 ? f.legitFailures.join(', ') : 'none'} | ${answers} |`,
      );
    }
    lines.push('');
  }
  lines.push('## Ratios and targets', '');
  lines.push('| ratio | Proofgate / better-auth |', '| --- | ---: |');
  for (const scenario of ['session', 'verify', 'login', 'backup-code'] as const) {
    const p = find(report, scenario, 'Proofgate');
    const b = find(report, scenario, 'better-auth');
    if (!p || !b) continue;
    const caveat = unevenMachine(p, b);
    lines.push(`| ${scenario} throughput | ${fmt(p.load.requestsPerSecond / b.load.requestsPerSecond, 2)}×${caveat} |`);
    lines.push(`| ${scenario} p99 latency | ${fmt(p.load.latencyMs.p99 / b.load.latencyMs.p99, 2)}×${caveat} |`);
  }
  const pLogin = find(report, 'login', 'Proofgate');
  const bLogin = find(report, 'login', 'better-auth');
  if (pLogin) lines.push(`| login / argon2 bound (Proofgate) | ${pct(pLogin.load.requestsPerSecond / bound.boundPerSecond)} |`);
  if (bLogin) lines.push(`| login / argon2 bound (better-auth) | ${pct(bLogin.load.requestsPerSecond / bound.boundPerSecond)} |`);
  lines.push('');
  lines.push('| target (issue 10) | measured | |', '| --- | --- | --- |');
  for (const row of evaluateTargets(report)) lines.push(`| ${row.target} | ${row.measured} | ${mark(row.met)} |`);
  lines.push('');
  lines.push('## What ran', '');
  for (const m of report.measurements) {
    lines.push(`- ${m.scenario} / ${m.server}: ${m.request}; set-up ${fmt(m.setupSeconds, 1)} s (not measured); ${fmt(m.load.durationSeconds, 1)} s measured; peak RSS from ${m.rssSource}.`);
  }
  lines.push(
    `- Proofgate: \`node dist/server/main.js\` (the bundle \`npm start\` builds and runs) with ${Object.entries(report.proofgateEnv).map(([k, v]) => `${k}=${v}`).join(' ')}.`,
  );
  for (const f of report.floods ?? []) lines.push(`- flood / ${f.kind}: ${f.request}.`);
  for (const note of report.peerNotes) lines.push(`- better-auth: ${note}`);
  lines.push('');
  return lines.join('\n');
}
