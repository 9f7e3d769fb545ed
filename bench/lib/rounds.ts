/**
 * Round statistics. The bench measures every scenario in several rounds, alternating which
 * server goes first, and reports each metric as the median across rounds with its spread; the
 * ratios between servers are ratios of those medians, so one noisy round cannot make a verdict.
 */

export interface Spread {
  median: number;
  min: number;
  max: number;
  /** How many rounds the figure comes from. */
  rounds: number;
}

/** The middle value (the mean of the two middle values for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function spread(values: readonly number[]): Spread {
  const present = values.filter((v) => !Number.isNaN(v));
  if (present.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN, rounds: 0 };
  return { median: median(present), min: Math.min(...present), max: Math.max(...present), rounds: present.length };
}

/**
 * The order the servers of a scenario run in, round by round: as given in even rounds,
 * reversed in odd ones. With two servers A and B that is A B, B A, A B … — so over the run
 * neither side always runs first (on a cold cache) or last (after the other has warmed the
 * database), and the rounds of the same side are next to each other at every turn.
 */
export function sideOrder<T>(sides: readonly T[], round: number): T[] {
  return round % 2 === 0 ? [...sides] : [...sides].reverse();
}

