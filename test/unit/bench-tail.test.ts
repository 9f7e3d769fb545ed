import { describe, expect, it } from 'vitest';
import { percentile, summariseTail, type TimedAnswer } from '../../bench/lib/tail-analysis';
import type { GcPause } from '../../bench/probe/protocol';
import { parseTailArgs } from '../../bench/tail-args';

describe('npm run bench:tail: its command line', () => {
  it('defaults to two passes of the full amounts, and takes a pass count and --quick', () => {
    expect(parseTailArgs([])).toEqual({ passes: 2, quick: false });
    expect(parseTailArgs(['--passes=5', '--quick'])).toEqual({ passes: 5, quick: true });
  });

  it('refuses what it does not know, and a pass count that is not a whole number ≥ 1', () => {
    for (const bad of [['--passes=0'], ['--passes=1.5'], ['--passes='], ['--rounds=3'], ['quick']]) {
      expect(() => parseTailArgs(bad), bad.join(' ')).toThrow();
    }
  });
});

describe('what bench:tail says of one run', () => {
  it('takes nearest-rank percentiles', () => {
    const sorted = Array.from({ length: 200 }, (_, i) => i + 1);
    expect(percentile(sorted, 50)).toBe(100);
    expect(percentile(sorted, 99)).toBe(198);
    expect(percentile(sorted, 100)).toBe(200);
    expect(percentile([], 99)).toBe(0);
  });

  /**
   * 1,000 answers of 5 ms, one sent every 2 ms from t = 10,000 ms; the twenty sent from 10,980 ms
   * on waited through the mark-compact at 11,016 ms and took 40 ms.
   */
  function run(): { answers: TimedAnswer[]; pauses: GcPause[] } {
    const answers: TimedAnswer[] = [];
    for (let i = 0; i < 1000; i += 1) {
      const startMs = 10_000 + i * 2;
      const slow = startMs >= 10_980 && startMs < 11_020;
      answers.push({ startMs, endMs: startMs + (slow ? 40 : 5) });
    }
    const pauses: GcPause[] = [
      { startMs: 11_016, durationMs: 4, kind: 'major' },
      { startMs: 10_500, durationMs: 1, kind: 'minor' },
      { startMs: 11_500, durationMs: 3, kind: 'minor' },
      { startMs: 10_700, durationMs: 0.5, kind: 'other' },
      // Before the run and after it: not counted.
      { startMs: 9_000, durationMs: 5, kind: 'major' },
      { startMs: 20_000, durationMs: 5, kind: 'minor' },
    ];
    return { answers, pauses };
  }

  it('reports the percentiles, the throughput and the pauses that fell inside the run', () => {
    const summary = summariseTail(run().answers, run().pauses);
    expect(summary).toMatchObject({ answers: 1000, p50Ms: 5, p99Ms: 40, maxMs: 40, slowest: 20 });
    expect(summary.perSecond).toBeCloseTo(1000 / ((11_998 + 5 - 10_000) / 1000), 6);
    expect(summary.majorPauses).toEqual({ count: 1, totalMs: 4 });
    expect(summary.minorPauses).toEqual({ count: 2, totalMs: 4, atLeast2Ms: 1 });
  });

  it('says how many of the slowest answers waited through a mark-compact, against all answers', () => {
    const summary = summariseTail(run().answers, run().pauses);
    // All twenty slow answers spanned the pause at 11,016–11,020, and no fast one did.
    expect(summary.inMajorPause.slowest).toBe(1);
    expect(summary.inMajorPause.all).toBeCloseTo(20 / 1000, 6);
    // The 3 ms scavenge at 11,500 held up fast answers only.
    expect(summary.inLongMinorPause.slowest).toBe(0);
    expect(summary.inLongMinorPause.all).toBeCloseTo(4 / 1000, 6);
    // They ended within 11,020–11,058: two 20 ms windows, not twenty.
    expect(summary.windowsOfSlowest).toBe(2);
  });
});
