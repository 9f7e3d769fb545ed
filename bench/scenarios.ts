import { generateTotpCode } from '../src/server/twofactor/totp';
import type { PeerFixtures } from './fixtures/better-auth';
import { BENCH_PASSWORD, type ProofgateFixtures } from './fixtures/proofgate';
import { cookiePair, expectStatus, postJson } from './lib/http';
import { queuedRequest, runLoad, type LoadRequest, type LoadResult } from './lib/load';
import type { BenchSettings } from './settings';

/**
 * The scenarios, each prepared for Proofgate and for the better-auth peer. Preparing (users,
 * tokens, cookies) happens before the clock starts; a warm-up run (not reported) precedes each
 * measured run so both servers are measured with their JIT warm.
 */

export type ScenarioId = 'session' | 'verify' | 'login' | 'backup-code';
export const SCENARIO_IDS: ScenarioId[] = ['session', 'verify', 'login', 'backup-code'];

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
  proofgateUrl: string;
  peerUrl: string;
  proofgate: ProofgateFixtures;
  peer: PeerFixtures;
}

export interface Scenario {
  id: ScenarioId;
  proofgate(ctx: ScenarioContext): Promise<PreparedScenario>;
  peer(ctx: ScenarioContext): Promise<PreparedScenario>;
}

const JSON_HEADERS = { 'content-type': 'application/json' };

/** autocannon builds one request ahead per connection, so a queue holds that many items it never sends. */
const spareItems = (settings: BenchSettings) => settings.connections * 2;

export const poolSize = (settings: BenchSettings, warmupAmount: number, amount: number) =>
  warmupAmount + amount + 2 * spareItems(settings);

/** Splits a pool of single-use items into a warm-up queue and a measured queue. */
function splitQueues<T>(items: readonly T[], settings: BenchSettings, warmupAmount: number, amount: number) {
  const spare = spareItems(settings);
  if (items.length < warmupAmount + amount + 2 * spare) throw new Error('item pool too small');
  return {
    warmItems: items.slice(0, warmupAmount + spare),
    measureItems: items.slice(warmupAmount + spare),
    warmAmount: warmupAmount,
    measureAmount: amount,
  };
}

/** Proofgate sign-in through HTTP: password, then TOTP; returns the session cookie (AAL2). */
async function proofgateSession(url: string, email: string, secret: string): Promise<string> {
  const login = expectStatus(await postJson(`${url}/api/auth/login`, { email, password: BENCH_PASSWORD }), 200, 'login');
  const verify = expectStatus(
    await postJson(`${url}/api/auth/2fa/verify`, { temp_token: login.body.temp_token, code: generateTotpCode(secret, Date.now()) }),
    200,
    '2fa/verify',
  );
  return cookiePair(verify.setCookies, 'proofgate_session');
}

const session: Scenario = {
  id: 'session',
  async proofgate({ settings, proofgateUrl, proofgate }) {
    const users = await proofgate.createTwoFactorUsers(settings.session.sessions, 'session');
    const cookies = [];
    for (const user of users) cookies.push(await proofgateSession(proofgateUrl, user.email, user.secret));
    const requests = cookies.map((cookie) => ({ method: 'GET' as const, path: '/api/auth/2fa/status', headers: { cookie } }));
    return {
      request: `GET /api/auth/2fa/status (AAL2 session cookie, ${cookies.length} sessions round-robin)`,
      warmup: { requests, durationSeconds: settings.session.warmupSeconds },
      measure: { requests, durationSeconds: settings.session.durationSeconds },
    };
  },
  async peer({ settings, peer }) {
    const users = await peer.createUsers(settings.session.sessions, 'session', true);
    const cookies = await peer.sessionCookies(users);
    const requests = cookies.map((cookie) => ({ method: 'GET' as const, path: '/api/auth/get-session', headers: { cookie } }));
    return {
      request: `GET /api/auth/get-session (session cookie after two-factor sign-in, ${cookies.length} sessions round-robin)`,
      warmup: { requests, durationSeconds: settings.session.warmupSeconds },
      measure: { requests, durationSeconds: settings.session.durationSeconds },
    };
  },
};

const verify: Scenario = {
  id: 'verify',
  async proofgate({ settings, proofgate }) {
    const { proofgateAmount, warmupAmount } = settings.verify;
    // One user per request: TOTP replay protection accepts each time step once per user.
    const users = await proofgate.createTwoFactorUsers(poolSize(settings, warmupAmount, proofgateAmount), 'verify');
    const tokens = await proofgate.issueTempTokens(users.map((u) => u.id));
    const items = users.map((user, i) => ({ token: tokens[i]!, secret: user.secret }));
    const q = splitQueues(items, settings, warmupAmount, proofgateAmount);
    const build = (item: (typeof items)[number]) => ({
      body: JSON.stringify({ temp_token: item.token, code: generateTotpCode(item.secret, Date.now()) }),
    });
    const base = { method: 'POST' as const, path: '/api/auth/2fa/verify', headers: JSON_HEADERS };
    return {
      request: `POST /api/auth/2fa/verify {temp_token, code} — ${items.length} users, each temp token and user used once`,
      warmup: { requests: [queuedRequest(base, q.warmItems, build)], amount: q.warmAmount },
      measure: { requests: [queuedRequest(base, q.measureItems, build)], amount: q.measureAmount },
    };
  },
  async peer({ settings, peer }) {
    const { peerAmount, warmupAmount, peerUsers } = settings.verify;
    const users = await peer.createUsers(peerUsers, 'verify', true);
    const order = Array.from({ length: poolSize(settings, warmupAmount, peerAmount) }, (_, i) => users[i % users.length]!);
    const cookies = await peer.twoFactorCookies(order);
    const items = order.map((user, i) => ({ cookie: cookies[i]!, secret: user.secret }));
    const q = splitQueues(items, settings, warmupAmount, peerAmount);
    const build = (item: (typeof items)[number]) => ({
      body: JSON.stringify({ code: generateTotpCode(item.secret, Date.now()) }),
      headers: { cookie: item.cookie },
    });
    const base = { method: 'POST' as const, path: '/api/auth/two-factor/verify-totp', headers: { ...JSON_HEADERS, ...peer.origin } };
    return {
      request: `POST /api/auth/two-factor/verify-totp {code} + two-factor cookie — ${users.length} users, each cookie used once`,
      warmup: { requests: [queuedRequest(base, q.warmItems, build)], amount: q.warmAmount },
      measure: { requests: [queuedRequest(base, q.measureItems, build)], amount: q.measureAmount },
    };
  },
};

const login: Scenario = {
  id: 'login',
  async proofgate({ settings, proofgate }) {
    const users = await proofgate.createPasswordUsers(settings.login.users, 'login');
    const requests = users.map((user) => ({
      method: 'POST' as const,
      path: '/api/auth/login',
      headers: JSON_HEADERS,
      body: JSON.stringify({ email: user.email, password: BENCH_PASSWORD }),
    }));
    return {
      request: `POST /api/auth/login {email, password} — ${users.length} users without 2FA, round-robin`,
      warmup: { requests, durationSeconds: settings.login.warmupSeconds },
      measure: { requests, durationSeconds: settings.login.durationSeconds },
    };
  },
  async peer({ settings, peer }) {
    const users = await peer.createUsers(settings.login.users, 'login', false);
    const requests = users.map((user) => ({
      method: 'POST' as const,
      path: '/api/auth/sign-in/email',
      headers: { ...JSON_HEADERS, ...peer.origin },
      body: JSON.stringify({ email: user.email, password: BENCH_PASSWORD }),
    }));
    return {
      request: `POST /api/auth/sign-in/email {email, password} — ${users.length} users without 2FA, round-robin`,
      warmup: { requests, durationSeconds: settings.login.warmupSeconds },
      measure: { requests, durationSeconds: settings.login.durationSeconds },
    };
  },
};

/** Item i uses user i mod U and that user's code number ⌊i / U⌋, so no user has two attempts in flight. */
function roundRobin<T>(count: number, users: readonly T[]) {
  return Array.from({ length: count }, (_, i) => ({ user: users[i % users.length]!, codeIndex: Math.floor(i / users.length) }));
}

const backupCode: Scenario = {
  id: 'backup-code',
  async proofgate({ settings, proofgate }) {
    const { amount, warmupAmount, users: userCount } = settings.backupCode;
    const total = poolSize(settings, warmupAmount, amount);
    const users = await proofgate.createTwoFactorUsers(userCount, 'backup');
    const codes = await proofgate.addBackupCodes(users.map((u) => u.id), Math.ceil(total / userCount));
    const plan = roundRobin(total, users);
    const tokens = await proofgate.issueTempTokens(plan.map((p) => p.user.id));
    const items = plan.map((p, i) => ({ token: tokens[i]!, code: codes.get(p.user.id)![p.codeIndex]! }));
    const q = splitQueues(items, settings, warmupAmount, amount);
    const build = (item: (typeof items)[number]) => ({ body: JSON.stringify({ temp_token: item.token, backup_code: item.code }) });
    const base = { method: 'POST' as const, path: '/api/auth/2fa/verify', headers: JSON_HEADERS };
    return {
      request: `POST /api/auth/2fa/verify {temp_token, backup_code} — ${users.length} users, each code and token used once`,
      warmup: { requests: [queuedRequest(base, q.warmItems, build)], amount: q.warmAmount },
      measure: { requests: [queuedRequest(base, q.measureItems, build)], amount: q.measureAmount },
    };
  },
  async peer({ settings, peer }) {
    const { amount, warmupAmount, users: userCount } = settings.backupCode;
    const total = poolSize(settings, warmupAmount, amount);
    const users = await peer.createUsers(userCount, 'backup', true);
    const codesPerUser = users[0]?.backupCodes.length ?? 0;
    if (Math.ceil(total / userCount) > codesPerUser) {
      throw new Error(`backup-code: ${total} attempts need more than the ${codesPerUser} codes each of ${userCount} peer users has`);
    }
    const plan = roundRobin(total, users);
    const cookies = await peer.twoFactorCookies(plan.map((p) => p.user));
    const items = plan.map((p, i) => ({ cookie: cookies[i]!, code: p.user.backupCodes[p.codeIndex]! }));
    const q = splitQueues(items, settings, warmupAmount, amount);
    const build = (item: (typeof items)[number]) => ({ body: JSON.stringify({ code: item.code }), headers: { cookie: item.cookie } });
    const base = { method: 'POST' as const, path: '/api/auth/two-factor/verify-backup-code', headers: { ...JSON_HEADERS, ...peer.origin } };
    return {
      request: `POST /api/auth/two-factor/verify-backup-code {code} + two-factor cookie — ${users.length} users, each code and cookie used once`,
      warmup: { requests: [queuedRequest(base, q.warmItems, build)], amount: q.warmAmount },
      measure: { requests: [queuedRequest(base, q.measureItems, build)], amount: q.measureAmount },
    };
  },
};

export const SCENARIOS: Record<ScenarioId, Scenario> = { session, verify, login, 'backup-code': backupCode };

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
export const FLOOD_ADDRESS = '198.51.100.66';
export const LEGIT_ADDRESS = '203.0.113.10';

export interface LatencySummary {
  samples: number;
  p50: number;
  p90: number;
  max: number;
}

export interface FloodPhase {
  kind: FloodKind;
  request: string;
  quiet: LatencySummary;
  flooded: LatencySummary;
  /** Statuses of the legitimate logins other than 200 (must stay empty). */
  legitFailures: string[];
  flood: LoadResult;
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

function floodRequest(kind: FloodKind, victimEmail: string): LoadRequest {
  const headers = { ...JSON_HEADERS, 'x-forwarded-for': FLOOD_ADDRESS };
  if (kind === 'login') {
    // Valid credentials: a success refunds the login throttle's point, so this flood is never refused by it.
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

export async function runFlood({ settings, proofgateUrl, proofgate }: ScenarioContext, kind: FloodKind): Promise<FloodPhase> {
  const { connections, samples, maxSeconds } = settings.flood;
  const [legit, floodUser] = await proofgate.createPasswordUsers(2, `flood-${kind}`);
  const legitFailures: string[] = [];
  await timedLogins(proofgateUrl, legit!.email, 3, legitFailures); // warm
  const quiet = await timedLogins(proofgateUrl, legit!.email, samples, legitFailures);

  let flooding = true;
  const flood = runLoad({ url: proofgateUrl, connections, durationSeconds: maxSeconds, requests: [floodRequest(kind, floodUser!.email)] }).finally(() => {
    flooding = false;
  });
  await new Promise((resolve) => setTimeout(resolve, 1000)); // let the queue fill
  const flooded = await timedLogins(proofgateUrl, legit!.email, samples, legitFailures, () => !flooding);
  // The flood runs for its fixed duration; the samples are what was measured while it ran.
  const floodResult = await flood;
  return {
    kind,
    request: `${kind === 'login' ? 'POST /api/auth/login (one valid account)' : 'POST /api/auth/register (a new email each)'} from ${FLOOD_ADDRESS}, ${connections} connections, ${maxSeconds} s; legitimate POST /api/auth/login from ${LEGIT_ADDRESS}, one at a time`,
    quiet: summarize(quiet),
    flooded: summarize(flooded),
    legitFailures,
    flood: floodResult,
  };
}
