/**
 * How many rounds, and how long and how hard each scenario runs in each. A round is a warm-up
 * and a measured run of every scenario on every server; a full run makes three, so every
 * figure is a median of three (lib/rounds.ts), with runs short enough that the whole stays
 * within about 15 minutes. Fixed-amount scenarios use single-use tokens, so their pools are
 * made for exactly that many requests (plus autocannon's one-ahead per connection); time-based
 * ones run for a duration. Connection counts stay small: the load
 * generator, both servers, PostgreSQL and Redis share the same two cores.
 */
export interface BenchSettings {
  mode: 'full' | 'quick';
  /** Measured rounds (`--rounds=N` overrides). */
  rounds: number;
  connections: number;
  /** Both session scenarios: `session` and `host-session`. */
  session: { durationSeconds: number; warmupSeconds: number; sessions: number };
  verify: { proofgateAmount: number; peerAmount: number; warmupAmount: number; peerUsers: number };
  login: { durationSeconds: number; warmupSeconds: number; users: number };
  backupCode: { amount: number; warmupAmount: number; users: number };
  /** One address floods (`connections` at once) while another signs in `samples` times, one after another. */
  flood: { connections: number; samples: number; maxSeconds: number };
}

export const FULL: BenchSettings = {
  mode: 'full',
  rounds: 3,
  connections: 10,
  session: { durationSeconds: 5, warmupSeconds: 2, sessions: 20 },
  verify: { proofgateAmount: 5000, peerAmount: 1000, warmupAmount: 2000, peerUsers: 100 },
  login: { durationSeconds: 8, warmupSeconds: 2, users: 50 },
  backupCode: { amount: 300, warmupAmount: 20, users: 50 },
  flood: { connections: 24, samples: 30, maxSeconds: 15 },
};

export const QUICK: BenchSettings = {
  mode: 'quick',
  rounds: 1,
  connections: 10,
  session: { durationSeconds: 3, warmupSeconds: 1, sessions: 10 },
  verify: { proofgateAmount: 600, peerAmount: 150, warmupAmount: 30, peerUsers: 30 },
  login: { durationSeconds: 3, warmupSeconds: 1, users: 20 },
  backupCode: { amount: 60, warmupAmount: 10, users: 20 },
  flood: { connections: 24, samples: 10, maxSeconds: 6 },
};
