import { describe, expect, it } from 'vitest';
import { summarizeFloods } from '../../bench/lib/flood-summary';
import type { Report } from '../../bench/lib/report';
import { evaluateTargets } from '../../bench/lib/targets';
import type { FloodKind, FloodPhase } from '../../bench/scenarios/flood';

// The flood runs as many rounds as the run; its verdict must be a ratio of medians over them, with
// the rounds' own ratios beside it, so one round's 30 samples cannot decide it either way.

function phase(kind: FloodKind, round: number, quietP50: number, floodedP50: number, legitFailures: string[] = []): FloodPhase {
  return {
    kind,
    round,
    request: `POST /api/auth/${kind}`,
    quiet: { samples: 30, p50: quietP50, p90: quietP50 + 2, max: quietP50 + 5 },
    flooded: { samples: 30, p50: floodedP50, p90: floodedP50 * 2, max: floodedP50 * 3 },
    legitFailures,
    flood: { statusCodes: { '201': 100 * round, '503': 1000 }, transportErrors: 0 } as unknown as FloodPhase['flood'],
  };
}

function floodRows(floods: FloodPhase[]) {
  const report = { rounds: 3, measurements: [], idle: [], floods } as unknown as Report;
  return evaluateTargets(report, []).filter((row) => row.target.includes('flood'));
}

describe('flood verdict over rounds', () => {
  // Round 2 alone would miss (110 / 20 = 5.5×); the medians (100 vs 20 ms) meet.
  const register = [phase('register', 1, 20, 90), phase('register', 2, 20, 110), phase('register', 3, 22, 100)];

  it('takes the ratio of the medians and reports every round’s ratio beside it', () => {
    const [summary] = summarizeFloods(register);
    expect(summary!.quietP50.median).toBe(20);
    expect(summary!.floodedP50.median).toBe(100);
    expect(summary!.ratio).toBe(5);
    expect(summary!.roundRatios.min).toBeCloseTo(90 / 20);
    expect(summary!.roundRatios.max).toBeCloseTo(110 / 20);
    expect(summary!.samples).toBe(90);
    expect(summary!.floodAnswers).toEqual({ '201': 600, '503': 3000 });
  });

  it('keeps the kinds apart, in the order they ran', () => {
    const summaries = summarizeFloods([phase('register', 1, 20, 100), phase('login', 1, 20, 50), phase('register', 2, 20, 120), phase('login', 2, 20, 70)]);
    expect(summaries.map((s) => [s.kind, s.rounds, s.floodedP50.median])).toEqual([
      ['register', 2, 110],
      ['login', 2, 60],
    ]);
  });

  it('judges the median, not one round', () => {
    const [row] = floodRows(register);
    expect(row!.met).toBe(true);
    expect(row!.measured).toContain('5.0× (100 vs 20 ms, 90 samples in 3 rounds; rounds 4.5–5.5×)');

    const [missed] = floodRows([phase('register', 1, 20, 90), phase('register', 2, 20, 120), phase('register', 3, 20, 130)]);
    expect(missed!.met).toBe(false);
  });

  it('misses when any round’s legitimate login failed, whatever the latency', () => {
    const [row] = floodRows([phase('register', 1, 20, 40), phase('register', 2, 20, 40, ['HTTP 503 SERVICE_UNAVAILABLE']), phase('register', 3, 20, 40)]);
    expect(row!.met).toBe(false);
    expect(summarizeFloods(register.slice(0, 1))[0]!.legitFailures).toEqual([]);
  });
});
