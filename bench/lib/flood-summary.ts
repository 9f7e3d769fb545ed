import { roundRatio, type FloodKind, type FloodPhase } from '../scenarios/flood';
import { spread, type Spread } from './rounds';

/**
 * One flood kind over the flood's rounds (as many as the run's, after the paired scenarios'
 * rounds). The verdict reads `ratio`, the flooded p50's median over the quiet p50's median (a
 * ratio of medians, as for the paired scenarios), with the per-round ratios beside it: one
 * round's 30 samples moved between 4.5× and 5.5× on the same server and machine, so no single
 * round decides it.
 */
export interface FloodSummary {
  kind: FloodKind;
  request: string;
  rounds: number;
  quietP50: Spread;
  floodedP50: Spread;
  floodedP90: Spread;
  floodedMax: Spread;
  ratio: number;
  roundRatios: Spread;
  /** Legitimate logins measured during the floods, over every round. */
  samples: number;
  /** Every round's legitimate logins that were not answered 200 (must stay empty). */
  legitFailures: string[];
  /** The flood's answers by status, summed over the rounds. */
  floodAnswers: Record<string, number>;
}

function sumCounts(phases: readonly FloodPhase[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const phase of phases) {
    for (const [status, count] of Object.entries(phase.flood.statusCodes)) counts[status] = (counts[status] ?? 0) + count;
  }
  return counts;
}

/** One summary per flood kind, in the order the kinds first ran. */
export function summarizeFloods(phases: readonly FloodPhase[]): FloodSummary[] {
  const kinds = [...new Set(phases.map((phase) => phase.kind))];
  return kinds.map((kind) => {
    const ofKind = phases.filter((phase) => phase.kind === kind);
    const quietP50 = spread(ofKind.map((phase) => phase.quiet.p50));
    const floodedP50 = spread(ofKind.map((phase) => phase.flooded.p50));
    return {
      kind,
      request: ofKind[0]!.request,
      rounds: ofKind.length,
      quietP50,
      floodedP50,
      floodedP90: spread(ofKind.map((phase) => phase.flooded.p90)),
      floodedMax: spread(ofKind.map((phase) => phase.flooded.max)),
      ratio: floodedP50.median / quietP50.median,
      roundRatios: spread(ofKind.map(roundRatio)),
      samples: ofKind.reduce((total, phase) => total + phase.flooded.samples, 0),
      legitFailures: ofKind.flatMap((phase) => phase.legitFailures.map((failure) => `round ${phase.round}: ${failure}`)),
      floodAnswers: sumCounts(ofKind),
    };
  });
}
