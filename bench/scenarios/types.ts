import type { PeerFixtures } from '../fixtures/better-auth';
import type { ProofgateFixtures } from '../fixtures/proofgate';
import type { LoadRequest } from '../lib/load';
import type { BenchSettings } from '../settings';

/**
 * What a scenario is: the same user-visible operation prepared for each server it compares.
 * Preparing (users, tokens, cookies) happens before the clock starts, in every round; a
 * warm-up run (not reported) precedes each measured run so every server is measured warm.
 */

export type ScenarioId = 'session' | 'host-session' | 'verify' | 'login' | 'backup-code';
export const SCENARIO_IDS: ScenarioId[] = ['session', 'host-session', 'verify', 'login', 'backup-code'];

/**
 * The server processes of a run: Proofgate as `npm start` runs it, the better-auth peer with its
 * defaults and with its session cookie cache on, and the two host apps (Express apps with a
 * route of their own, guarded by each library), the hash-only HTTP server, whose sign-in is
 * nothing but its argon2id verification (the login ceiling over HTTP), the sign-in floor (the
 * hash plus the least store work a throttled, audited sign-in needs), and Proofgate's login
 * service called from Node's own HTTP server (both steps of a Proofgate sign-in without its HTTP layer).
 */
export type ServerName =
  | 'Proofgate'
  | 'better-auth'
  | 'better-auth cookieCache'
  | 'Proofgate host'
  | 'better-auth host'
  | 'hash-only HTTP'
  | 'sign-in floor'
  | 'login service';
export type PeerServerName = 'better-auth' | 'better-auth cookieCache' | 'better-auth host';

export interface RunPlan {
  requests: LoadRequest[];
  amount?: number;
  durationSeconds?: number;
}

export interface PreparedScenario {
  /** What is sent, for the report. */
  request: string;
  warmup: RunPlan;
  measure: RunPlan;
}

export interface ScenarioContext {
  settings: BenchSettings;
  urls: Record<ServerName, string>;
  /** Rows written straight into the database both Proofgate processes share. */
  proofgate: ProofgateFixtures;
  /** Each better-auth process made through its own HTTP API. */
  peers: Record<PeerServerName, PeerFixtures>;
  /**
   * The REDIS_KEY_PREFIX of each server that answers the second login step (Proofgate, its login
   * service, the sign-in floor): its temp tokens are stashed there, as Proofgate's password step
   * leaves them.
   */
  stashPrefixes: Partial<Record<ServerName, string>>;
}

export interface ScenarioSide {
  server: ServerName;
  prepare(ctx: ScenarioContext): Promise<PreparedScenario>;
}

export interface Scenario {
  id: ScenarioId;
  /** Proofgate's side first; the rounds alternate the order (lib/rounds.ts). */
  sides: ScenarioSide[];
}

export const JSON_HEADERS = { 'content-type': 'application/json' };
