import type { GcPause } from '../probe/protocol';

/** One answer of the closed loop: when its request went out and when its answer was in, epoch ms. */
export interface TimedAnswer {
  startMs: number;
  endMs: number;
}

/** What `bench:tail` reports for one run: the latency tail, and which pauses the slowest answers waited through. */
export interface TailSummary {
  answers: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** The answers at or above the p99: the ones the p99 target is about. */
  slowest: number;
  majorPauses: { count: number; totalMs: number };
  minorPauses: { count: number; totalMs: number; atLeast2Ms: number };
  /**
   * Share of the slowest answers, and of all answers, that were in flight while a mark-compact
   * paused the main thread, or a scavenge of 2 ms or more: where the first share is far above
   * the second, those pauses are what the tail is made of.
   */
  inMajorPause: { slowest: number; all: number };
  inLongMinorPause: { slowest: number; all: number };
  /**
   * Distinct 20 ms windows the slowest answers ended in: far fewer windows than slowest
   * answers means they come in clusters (every request in flight held up at once), not spread.
   */
  windowsOfSlowest: number;
}

/** The nearest-rank percentile (`p` in 0..100) of values sorted ascending. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

const overlaps = (answer: TimedAnswer, pause: GcPause) => answer.startMs < pause.startMs + pause.durationMs && answer.endMs > pause.startMs;

/** Share (0..1) of `answers` in flight during any of `pauses`. */
function shareInFlight(answers: readonly TimedAnswer[], pauses: readonly GcPause[]): number {
  if (answers.length === 0) return 0;
  return answers.filter((answer) => pauses.some((pause) => overlaps(answer, pause))).length / answers.length;
}

export function summariseTail(answers: readonly TimedAnswer[], pauses: readonly GcPause[]): TailSummary {
  const latencies = answers.map((a) => a.endMs - a.startMs).sort((a, b) => a - b);
  const p99 = percentile(latencies, 99);
  const slowest = answers.filter((a) => a.endMs - a.startMs >= p99);
  const first = Math.min(...answers.map((a) => a.startMs));
  const last = Math.max(...answers.map((a) => a.endMs));
  // Only the pauses of the measured run: the record may start a little before it.
  const during = pauses.filter((pause) => pause.startMs + pause.durationMs > first && pause.startMs < last);
  const major = during.filter((pause) => pause.kind === 'major');
  const minor = during.filter((pause) => pause.kind === 'minor');
  const longMinor = minor.filter((pause) => pause.durationMs >= 2);
  const total = (list: readonly GcPause[]) => list.reduce((sum, pause) => sum + pause.durationMs, 0);
  return {
    answers: answers.length,
    perSecond: answers.length > 0 && last > first ? answers.length / ((last - first) / 1000) : 0,
    p50Ms: percentile(latencies, 50),
    p99Ms: p99,
    maxMs: latencies.at(-1) ?? 0,
    slowest: slowest.length,
    majorPauses: { count: major.length, totalMs: total(major) },
    minorPauses: { count: minor.length, totalMs: total(minor), atLeast2Ms: longMinor.length },
    inMajorPause: { slowest: shareInFlight(slowest, major), all: shareInFlight(answers, major) },
    inLongMinorPause: { slowest: shareInFlight(slowest, longMinor), all: shareInFlight(answers, longMinor) },
    windowsOfSlowest: new Set(slowest.map((a) => Math.floor(a.endMs / 20))).size,
  };
}
