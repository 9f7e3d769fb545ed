import type { ScenarioId, ServerName } from '../scenarios/types';
import type { CpuGroup, CpuShares, MainThreadShares } from './cpu-accounting';
import type { Measurement } from './report';
import { median, spread, type Spread } from './rounds';

/** One server in one scenario over every round: each metric's median and spread. */
export interface SideSummary {
  scenario: ScenarioId;
  server: ServerName;
  /** What was sent (the last round's description). */
  request: string;
  rounds: number;
  requestsPerSecond: Spread;
  p50Ms: Spread;
  p99Ms: Spread;
  peakRssMB: Spread;
  eventLoopP99Ms: Spread;
  cpuMsPerRequest: Spread;
  argon2VerifyPerRequest: Spread;
  setupSeconds: Spread;
  measuredSeconds: Spread;
  /** Totals over the rounds. */
  ok2xx: number;
  non2xx: number;
  non2xxByStatus: Record<string, number>;
  transportErrors: number;
  timeouts: number;
  /** Median cores per group during the measured runs (undefined without /proc). */
  cpu: CpuShares | undefined;
  /** Medians of the memory the probe reported at the end of each measured run. */
  endMemoryMB: { rss: number; heapTotal: number; heapUsed: number; external: number };
  rssSource: string;
}

const MB = 1e6;

function perRequest(m: Measurement, n: number): number {
  return m.load.responses > 0 ? n / m.load.responses : Number.NaN;
}

function medianCpu(runs: readonly Measurement[]): CpuShares | undefined {
  const shares = runs.map((m) => m.cpu).filter((c): c is CpuShares => c !== undefined);
  if (shares.length === 0) return undefined;
  const of = (key: CpuGroup | 'idle') => median(shares.map((c) => c[key]));
  const mainThreads = shares.map((c) => c.mainThread).filter((t): t is MainThreadShares => t !== undefined);
  return {
    server: of('server'),
    'load generator': of('load generator'),
    postgres: of('postgres'),
    redis: of('redis'),
    other: of('other'),
    idle: of('idle'),
    ...(mainThreads.length > 0
      ? { mainThread: { running: median(mainThreads.map((t) => t.running)), waiting: median(mainThreads.map((t) => t.waiting)) } }
      : {}),
  };
}

function summarizeSide(runs: readonly Measurement[]): SideSummary {
  const first = runs[0]!;
  const over = (metric: (m: Measurement) => number) => spread(runs.map(metric));
  const total = (metric: (m: Measurement) => number) => runs.reduce((sum, m) => sum + metric(m), 0);
  const non2xxByStatus: Record<string, number> = {};
  for (const m of runs) {
    for (const [code, n] of Object.entries(m.load.statusCodes)) if (!code.startsWith('2')) non2xxByStatus[code] = (non2xxByStatus[code] ?? 0) + n;
  }
  return {
    scenario: first.scenario,
    server: first.server,
    request: runs[runs.length - 1]!.request,
    rounds: runs.length,
    requestsPerSecond: over((m) => m.load.requestsPerSecond),
    p50Ms: over((m) => m.load.latencyMs.p50),
    p99Ms: over((m) => m.load.latencyMs.p99),
    peakRssMB: over((m) => m.peakRssBytes / MB),
    eventLoopP99Ms: over((m) => m.probe.eventLoopDelayMs.p99),
    cpuMsPerRequest: over((m) => perRequest(m, m.probe.cpuMs)),
    argon2VerifyPerRequest: over((m) => perRequest(m, m.probe.argon2Verify)),
    setupSeconds: over((m) => m.setupSeconds),
    measuredSeconds: over((m) => m.load.durationSeconds),
    ok2xx: total((m) => m.load.ok2xx),
    non2xx: total((m) => m.load.non2xx),
    non2xxByStatus,
    transportErrors: total((m) => m.load.transportErrors),
    timeouts: total((m) => m.load.timeouts),
    cpu: medianCpu(runs),
    endMemoryMB: {
      rss: median(runs.map((m) => m.probe.rssBytes / MB)),
      heapTotal: median(runs.map((m) => m.probe.heapTotalBytes / MB)),
      heapUsed: median(runs.map((m) => m.probe.heapUsedBytes / MB)),
      external: median(runs.map((m) => m.probe.externalBytes / MB)),
    },
    rssSource: first.rssSource,
  };
}

/** One summary per (scenario, server), in the order the first round ran them (each scenario's own order). */
export function summarizeRounds(measurements: readonly Measurement[]): SideSummary[] {
  const groups = new Map<string, Measurement[]>();
  const firstRound = Math.min(...measurements.map((m) => m.round));
  const ordered = [...measurements].sort((a, b) => (a.round === firstRound ? 0 : 1) - (b.round === firstRound ? 0 : 1));
  for (const m of ordered) {
    const key = `${m.scenario}\u0000${m.server}`;
    groups.set(key, [...(groups.get(key) ?? []), m]);
  }
  return [...groups.values()].map(summarizeSide);
}

export function findSummary(summaries: readonly SideSummary[], scenario: ScenarioId, server: ServerName): SideSummary | undefined {
  return summaries.find((s) => s.scenario === scenario && s.server === server);
}
