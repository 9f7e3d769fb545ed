import type { ScenarioId, ServerName } from '../scenarios/types';
import type { Argon2Bound } from '../argon2-bound';
import { summarizeFloods } from './flood-summary';
import type { Measurement, Report } from './report';
import { spread } from './rounds';
import { findSummary, type SideSummary } from './summary';

/**
 * The issue's targets, each judged on medians across rounds (ratios are ratios of medians), in
 * one table with the figures behind each verdict. A verdict is reported, never asserted.
 */
export const TARGETS = {
  sessionVsDefaults: 5,
  sessionVsCookieCache: 1,
  verifyThroughput: 5,
  verifyP99: 1 / 4,
  loginCeilingFraction: 0.9,
  loginVsPeer: 1,
  loginEventLoopP99Ms: 20,
  peakRssMB: 150,
  idleRssMB: 90,
  /** A legitimate login while one address floods, against its quiet latency in the same run. */
  floodLoginRatio: 5,
} as const;

export interface TargetRow {
  target: string;
  measured: string;
  /** undefined: reported without a target, or not measured in this run. */
  met: boolean | undefined;
}

export const fmt = (n: number, digits = 0) =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : 'n/a';
export const pct = (n: number) => `${fmt(n * 100, 1)} %`;

/** Other jobs on the machine took noticeably different CPU during the two sides' runs (medians). */
export const UNEVEN_OTHER_CORES = 0.3;

function unevenMachine(p: SideSummary, b: SideSummary): string {
  if (!p.cpu || !b.cpu) return '';
  const difference = p.cpu.other - b.cpu.other;
  if (Math.abs(difference) < UNEVEN_OTHER_CORES) return '';
  return `; uneven: other jobs took ${fmt(Math.abs(difference), 2)} more cores during ${difference > 0 ? p.server : b.server}'s runs`;
}

/** The ratio of each round's pair, as a range: how much the verdict moves from round to round. */
function perRoundRange(measurements: readonly Measurement[], scenario: ScenarioId, a: ServerName, b: ServerName, metric: (m: Measurement) => number) {
  const ratios: number[] = [];
  for (const m of measurements) {
    if (m.scenario !== scenario || m.server !== a) continue;
    const other = measurements.find((o) => o.scenario === scenario && o.server === b && o.round === m.round);
    if (other) ratios.push(metric(m) / metric(other));
  }
  const range = spread(ratios);
  return range.rounds > 1 ? `; rounds ${fmt(range.min, 2)}–${fmt(range.max, 2)}×` : '';
}

interface Pair {
  p: SideSummary;
  b: SideSummary;
  rps: number;
  p99: number;
  /** Throughput and p99 figures behind the ratios, with each round's ratio range. */
  rpsText: string;
  p99Text: string;
}

function pair(report: Report, summaries: readonly SideSummary[], scenario: ScenarioId, a: ServerName, b: ServerName): Pair | undefined {
  const p = findSummary(summaries, scenario, a);
  const q = findSummary(summaries, scenario, b);
  if (!p || !q) return undefined;
  const rps = p.requestsPerSecond.median / q.requestsPerSecond.median;
  const p99 = p.p99Ms.median / q.p99Ms.median;
  const caveat = unevenMachine(p, q);
  const range = (metric: (m: Measurement) => number) => perRoundRange(report.measurements, scenario, a, b, metric);
  return {
    p,
    b: q,
    rps,
    p99,
    rpsText: `${fmt(rps, 2)}× (${fmt(p.requestsPerSecond.median)} vs ${fmt(q.requestsPerSecond.median)} req/s${range((m) => m.load.requestsPerSecond)}${caveat})`,
    p99Text: `${fmt(p99, 2)}× (${fmt(p.p99Ms.median)} vs ${fmt(q.p99Ms.median)} ms${range((m) => m.load.latencyMs.p99)}${caveat})`,
  };
}

function ratioRows(report: Report, summaries: readonly SideSummary[]): TargetRow[] {
  const rows: TargetRow[] = [];
  const defaults = pair(report, summaries, 'session', 'Proofgate', 'better-auth');
  if (defaults) rows.push({ target: `session ≥ ${TARGETS.sessionVsDefaults}× better-auth (defaults)`, measured: defaults.rpsText, met: defaults.rps >= TARGETS.sessionVsDefaults });
  const cached = pair(report, summaries, 'session', 'Proofgate', 'better-auth cookieCache');
  if (cached) rows.push({ target: `session ≥ ${TARGETS.sessionVsCookieCache}× better-auth (cookieCache)`, measured: cached.rpsText, met: cached.rps >= TARGETS.sessionVsCookieCache });
  const host = pair(report, summaries, 'host-session', 'Proofgate host', 'better-auth host');
  if (host) rows.push({ target: 'host-session: Proofgate host / better-auth host (no target)', measured: host.rpsText, met: undefined });
  const verify = pair(report, summaries, 'verify', 'Proofgate', 'better-auth');
  // The least store work of a throttled, replay-checked, audited second step, in the same rounds:
  // how far any verify with those guarantees reaches against better-auth on this machine.
  const floor = pair(report, summaries, 'verify', 'sign-in floor', 'better-auth');
  if (verify) {
    const ceiling = (ratio: number | undefined) =>
      ratio === undefined ? '' : `; measured ceiling on this machine in the same rounds: the sign-in floor's second step ${fmt(ratio, 2)}×`;
    rows.push({
      target: `verify throughput ≥ ${TARGETS.verifyThroughput}× better-auth`,
      measured: `${verify.rpsText}${ceiling(floor?.rps)}`,
      met: verify.rps >= TARGETS.verifyThroughput,
    });
    rows.push({ target: 'verify p99 ≤ ¼ of better-auth', measured: `${verify.p99Text}${ceiling(floor?.p99)}`, met: verify.p99 <= TARGETS.verifyP99 });
  }
  // The same second step without Express and the rest of the HTTP layer: how far the service's
  // own round trips and work would reach against better-auth if the HTTP layer cost nothing.
  const bare = pair(report, summaries, 'verify', 'login service', 'better-auth');
  const bareVsProofgate = pair(report, summaries, 'verify', 'Proofgate', 'login service');
  if (bare && bareVsProofgate) {
    rows.push({
      target: "verify / Proofgate's login service under node:http (the same second step without its HTTP layer; no target)",
      measured: `${bareVsProofgate.rpsText}; the login service reaches ${bare.rpsText} better-auth, p99 ${bare.p99Text}`,
      met: undefined,
    });
  }
  const floorVsProofgate = pair(report, summaries, 'verify', 'Proofgate', 'sign-in floor');
  if (floor && floorVsProofgate) {
    rows.push({
      target: 'verify / the sign-in floor (the least store work of a throttled, replay-checked, audited second step: the verify ceiling on this machine; no target)',
      measured: `${floorVsProofgate.rpsText}; the sign-in floor reaches ${floor.rpsText} better-auth, p99 ${floor.p99Text}`,
      met: undefined,
    });
  }
  return rows;
}

/** Hashes per second at the server's own concurrency: the login ceiling of one measurement. */
export function ceilingOf(bound: Argon2Bound): number | undefined {
  return bound.parallel.find((p) => p.concurrency === bound.serverConcurrency)?.hashesPerSecond;
}

/**
 * The raw ceiling the login is judged against: the median of the timings made right before each
 * round's login runs when there are any, else the one made at the start of the run.
 */
function loginCeiling(report: Report): { hashesPerSecond: number; text: string } | undefined {
  const perRound = (report.roundCeilings ?? []).map((r) => ceilingOf(r.bound)).filter((v): v is number => v !== undefined);
  if (perRound.length > 0) {
    const range = spread(perRound);
    const rounds = range.rounds > 1 ? `, rounds ${fmt(range.min)}–${fmt(range.max)}` : '';
    return { hashesPerSecond: range.median, text: `, the ceiling timed next to each round's login runs${rounds}` };
  }
  const once = ceilingOf(report.bound);
  return once === undefined ? undefined : { hashesPerSecond: once, text: '' };
}

/**
 * The login scenario's sides that are not products, each measured in the same rounds as
 * Proofgate's login and compared with it in a row of its own (no target). The first two are the
 * measured ceilings a login meets on this machine, shown next to the login target too.
 */
const LOGIN_YARDSTICKS = [
  {
    // What the machine allows a sign-in over HTTP at all: the raw ceiling has no HTTP, no load
    // generator and nothing else on the cores (docs/performance.md).
    server: 'hash-only HTTP',
    row: 'login / the hash-only HTTP server (the login ceiling over HTTP on this machine; no target)',
    reaches: 'the hash-only server',
    ceiling: 'a sign-in that is only its hash, over HTTP,',
  },
  {
    // The hash plus the least store work a throttled, audited sign-in needs: what the machine
    // allows a login with its throttles on (docs/performance.md, Processes).
    server: 'sign-in floor',
    row: 'login / the sign-in floor (the hash plus the least store work of a throttled, audited sign-in: the login ceiling with throttles on; no target)',
    reaches: 'the sign-in floor',
    ceiling: 'a throttled, audited sign-in (the sign-in floor)',
  },
  {
    // The same service without Express and the rest of the HTTP layer: splits the distance to the
    // sign-in floor into what Proofgate's login logic costs and what its HTTP layer costs.
    server: 'login service',
    row: "login / Proofgate's login service under node:http (the same sign-in without its HTTP layer; no target)",
    reaches: 'the login service',
    ceiling: undefined,
  },
] as const satisfies ReadonlyArray<{ server: ServerName; row: string; reaches: string; ceiling: string | undefined }>;

/** The share of the raw argon2id ceiling `server` reached in the login scenario; undefined when it did not run. */
function ceilingShare(summaries: readonly SideSummary[], server: ServerName, hashesPerSecond: number): string | undefined {
  const side = findSummary(summaries, 'login', server);
  return side ? pct(side.requestsPerSecond.median / hashesPerSecond) : undefined;
}

/** The measured ceilings, in the same rounds, as a clause for the login target's row. */
function measuredLoginCeilings(summaries: readonly SideSummary[], hashesPerSecond: number): string {
  const parts = [...LOGIN_YARDSTICKS]
    .reverse()
    .flatMap(({ server, ceiling }) => {
      const share = ceiling && ceilingShare(summaries, server, hashesPerSecond);
      return share ? [`${ceiling} ${share}`] : [];
    });
  return parts.length > 0 ? `; measured ceiling on this machine in the same rounds: ${parts.join(', ')}` : '';
}

function loginRows(report: Report, summaries: readonly SideSummary[]): TargetRow[] {
  const rows: TargetRow[] = [];
  const login = findSummary(summaries, 'login', 'Proofgate');
  if (!login) return rows;
  const { bound } = report;
  const ceiling = loginCeiling(report);
  if (ceiling) {
    const fraction = login.requestsPerSecond.median / ceiling.hashesPerSecond;
    rows.push({
      target: `login ≥ ${pct(TARGETS.loginCeilingFraction)} of raw argon2id at the server's concurrency (${bound.serverConcurrency})`,
      measured: `${pct(fraction)} (${fmt(login.requestsPerSecond.median)} of ${fmt(ceiling.hashesPerSecond)} hashes/s${ceiling.text})${measuredLoginCeilings(summaries, ceiling.hashesPerSecond)}`,
      met: fraction >= TARGETS.loginCeilingFraction,
    });
  }
  for (const { server, row, reaches } of LOGIN_YARDSTICKS) {
    const compared = pair(report, summaries, 'login', 'Proofgate', server);
    if (!compared) continue;
    const share = ceiling ? ceilingShare(summaries, server, ceiling.hashesPerSecond) : undefined;
    rows.push({ target: row, measured: `${compared.rpsText}; ${reaches} reaches ${share ?? 'n/a'} of raw argon2id`, met: undefined });
  }
  const peer = pair(report, summaries, 'login', 'Proofgate', 'better-auth');
  if (peer) rows.push({ target: `login ≥ ${TARGETS.loginVsPeer}× better-auth`, measured: peer.rpsText, met: peer.rps >= TARGETS.loginVsPeer });
  const el = login.eventLoopP99Ms;
  rows.push({
    target: `event-loop delay p99 during login ≤ ${TARGETS.loginEventLoopP99Ms} ms`,
    measured: `${fmt(el.median, 1)} ms${el.rounds > 1 ? ` (rounds ${fmt(el.min, 1)}–${fmt(el.max, 1)})` : ''}`,
    met: el.median <= TARGETS.loginEventLoopP99Ms,
  });
  return rows;
}

function memoryRows(report: Report, summaries: readonly SideSummary[]): TargetRow[] {
  const rows: TargetRow[] = [];
  const proofgate = summaries.filter((s) => s.server === 'Proofgate');
  if (proofgate.length > 0) {
    const worst = proofgate.reduce((a, b) => (a.peakRssMB.median >= b.peakRssMB.median ? a : b));
    const highest = Math.max(...proofgate.map((s) => s.peakRssMB.max));
    rows.push({
      target: `Proofgate peak RSS ≤ ${TARGETS.peakRssMB} MB in every scenario`,
      measured: `max ${fmt(worst.peakRssMB.median)} MB (${worst.scenario}, median); highest single round ${fmt(highest)} MB`,
      met: worst.peakRssMB.median <= TARGETS.peakRssMB,
    });
  }
  const idle = report.idle.find((i) => i.server === 'Proofgate');
  if (idle) {
    const mb = idle.rssBytes / 1e6;
    rows.push({
      target: `Proofgate idle RSS ≤ ${TARGETS.idleRssMB} MB`,
      measured: `${fmt(mb)} MB (right after start: ${fmt(idle.startedRssBytes / 1e6)} MB)`,
      met: mb <= TARGETS.idleRssMB,
    });
  } else {
    rows.push({ target: `Proofgate idle RSS ≤ ${TARGETS.idleRssMB} MB`, measured: 'not read in this run (--skip-idle)', met: undefined });
  }
  return rows;
}

function otherRows(report: Report, summaries: readonly SideSummary[]): TargetRow[] {
  const rows: TargetRow[] = [];
  const backup = findSummary(summaries, 'backup-code', 'Proofgate');
  if (backup) {
    const perAttempt = backup.argon2VerifyPerRequest.median;
    rows.push({ target: 'backup code: one argon2 verification per attempt', measured: `${fmt(perAttempt, 2)} per attempt`, met: Math.abs(perAttempt - 1) < 0.01 });
  }
  for (const flood of summarizeFloods(report.floods ?? [])) {
    const rounds = flood.rounds > 1 ? `; rounds ${fmt(flood.roundRatios.min, 1)}–${fmt(flood.roundRatios.max, 1)}×` : '';
    rows.push({
      target: `legitimate login p50 during a ${flood.kind} flood ≤ ${TARGETS.floodLoginRatio}× quiet`,
      measured: `${fmt(flood.ratio, 1)}× (${fmt(flood.floodedP50.median)} vs ${fmt(flood.quietP50.median)} ms, ${flood.samples} samples in ${flood.rounds} round${flood.rounds === 1 ? '' : 's'}${rounds})`,
      met: flood.legitFailures.length === 0 && flood.ratio <= TARGETS.floodLoginRatio,
    });
  }
  return rows;
}

export function evaluateTargets(report: Report, summaries: readonly SideSummary[]): TargetRow[] {
  return [...ratioRows(report, summaries), ...loginRows(report, summaries), ...memoryRows(report, summaries), ...otherRows(report, summaries)];
}
