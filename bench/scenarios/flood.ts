import { BENCH_PASSWORD } from '../fixtures/proofgate';
import { postJson } from '../lib/http';
import { runLoad, type LoadRequest, type LoadResult } from '../lib/load';
import { JSON_HEADERS, type ScenarioContext } from './types';

/**
 * Fairness under a flood (Proofgate only; not a comparison): one address floods registration,
 * then login, while a legitimate user at another address signs in one request after another.
 * Its latency is compared with its own quiet latency in the same run. Client addresses are
 * chosen with X-Forwarded-For, which the bench server trusts from loopback (TRUST_PROXY).
 * Registration limits are raised in the bench server so the flood reaches argon2: this
 * measures the fair queue, the defence left once an attacker has more addresses than the
 * per-IP throttle allows for.
 */
export type FloodKind = 'register' | 'login';
export const FLOOD_KINDS: FloodKind[] = ['register', 'login'];
/**
 * The flooding address of the flood's round `round` (1-based): a new one each round, so every
 * round meets the same throttles — a valid-credential flood leaves its address locked out of
 * the login throttle for its window, and the next round would measure a flood refused at once.
 */
export function floodAddress(round: number): string {
  return `198.51.100.${65 + round}`;
}
export const LEGIT_ADDRESS = '203.0.113.10';

export interface LatencySummary {
  samples: number;
  p50: number;
  p90: number;
  max: number;
}

export interface FloodPhase {
  kind: FloodKind;
  /** 1-based: the flood runs as many rounds as the run, after the paired scenarios' rounds. */
  round: number;
  request: string;
  quiet: LatencySummary;
  flooded: LatencySummary;
  /** Statuses of the legitimate logins other than 200 (must stay empty). */
  legitFailures: string[];
  flood: LoadResult;
}

/** One flood round's ratio: the legitimate login's flooded p50 over its quiet p50. */
export function roundRatio(phase: Pick<FloodPhase, 'quiet' | 'flooded'>): number {
  return phase.flooded.p50 / phase.quiet.p50;
}

function summarize(latencies: number[]): LatencySummary {
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return { samples: sorted.length, p50: at(0.5), p90: at(0.9), max: sorted[sorted.length - 1] ?? Number.NaN };
}

async function timedLogins(url: string, email: string, count: number, failures: string[], until?: () => boolean) {
  const latencies: number[] = [];
  for (let i = 0; i < count && !(until?.() ?? false); i += 1) {
    const started = performance.now();
    const response = await postJson(`${url}/api/auth/login`, { email, password: BENCH_PASSWORD }, { 'x-forwarded-for': LEGIT_ADDRESS });
    latencies.push(performance.now() - started);
    if (response.status !== 200) failures.push(`HTTP ${response.status} ${String(response.body.error_code ?? '')}`);
  }
  return latencies;
}

function floodRequest(kind: FloodKind, victimEmail: string, address: string): LoadRequest {
  const headers = { ...JSON_HEADERS, 'x-forwarded-for': address };
  if (kind === 'login') {
    // Valid credentials: a success refunds the login throttle's point, so the throttle refuses only
    // what the requests in flight at once hold (a few 429s a round with 24 connections, more with more).
    return { method: 'POST', path: '/api/auth/login', headers, body: JSON.stringify({ email: victimEmail, password: BENCH_PASSWORD }) };
  }
  const runId = Math.random().toString(36).slice(2, 8);
  let counter = 0;
  return {
    method: 'POST',
    path: '/api/auth/register',
    headers,
    setupRequest(request) {
      counter += 1;
      return { ...request, body: JSON.stringify({ email: `flood.${runId}.${counter}@bench.example`, password: BENCH_PASSWORD }) };
    },
  };
}

export async function runFlood({ settings, urls, proofgate }: ScenarioContext, kind: FloodKind, round: number): Promise<FloodPhase> {
  const proofgateUrl = urls.Proofgate;
  const { connections, samples, maxSeconds } = settings.flood;
  const [legit, floodUser] = await proofgate.createPasswordUsers(2, `flood-${kind}`);
  const legitFailures: string[] = [];
  await timedLogins(proofgateUrl, legit!.email, 3, legitFailures); // warm
  const quiet = await timedLogins(proofgateUrl, legit!.email, samples, legitFailures);

  let flooding = true;
  const flood = runLoad({ url: proofgateUrl, connections, durationSeconds: maxSeconds, requests: [floodRequest(kind, floodUser!.email, floodAddress(round))] }).finally(() => {
    flooding = false;
  });
  await new Promise((resolve) => setTimeout(resolve, 1000)); // let the queue fill
  const flooded = await timedLogins(proofgateUrl, legit!.email, samples, legitFailures, () => !flooding);
  // The flood runs for its fixed duration; the samples are what was measured while it ran.
  const floodResult = await flood;
  return {
    kind,
    round,
    request: `${kind === 'login' ? 'POST /api/auth/login (one valid account)' : 'POST /api/auth/register (a new email each)'} from ${floodAddress(1)}, ${floodAddress(2)}, … (a new address each flood round), ${connections} connections, ${maxSeconds} s; legitimate POST /api/auth/login from ${LEGIT_ADDRESS}, one at a time`,
    quiet: summarize(quiet),
    flooded: summarize(flooded),
    legitFailures,
    flood: floodResult,
  };
}
