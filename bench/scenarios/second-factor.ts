import { generateTotpCode } from '../../src/server/twofactor/totp';
import { queuedRequest } from '../lib/load';
import type { BenchSettings } from '../settings';
import { JSON_HEADERS, type PreparedScenario, type Scenario, type ScenarioContext } from './types';

/**
 * Second-factor attempts with single-use pools: every request carries its own temp token (or
 * two-factor cookie) and a code no other request used, so each round prepares fresh pools.
 */

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

/**
 * Proofgate's second step for fresh users of its database (the label keeps each side's apart):
 * the same request for Proofgate, for its login service under node:http and for the sign-in
 * floor, and for both sides of `npm run bench:ab`.
 */
export async function proofgateVerifies(
  { settings, proofgate }: Pick<ScenarioContext, 'settings' | 'proofgate'>,
  label: string,
  what: string,
  stashPrefix: string | undefined,
): Promise<PreparedScenario> {
  const { proofgateAmount, warmupAmount } = settings.verify;
  // One user per request: TOTP replay protection accepts each time step once per user.
  const users = await proofgate.createTwoFactorUsers(poolSize(settings, warmupAmount, proofgateAmount), label);
  const tokens = await proofgate.issueTempTokens(
    users.map((u) => u.id),
    stashPrefix,
  );
  const items = users.map((user, i) => ({ token: tokens[i]!, secret: user.secret }));
  const q = splitQueues(items, settings, warmupAmount, proofgateAmount);
  const build = (item: (typeof items)[number]) => ({
    body: JSON.stringify({ temp_token: item.token, code: generateTotpCode(item.secret, Date.now()) }),
  });
  const base = { method: 'POST' as const, path: '/api/auth/2fa/verify', headers: JSON_HEADERS };
  return {
    request: `POST /api/auth/2fa/verify {temp_token, code}${what} — ${items.length} users, each temp token and user used once`,
    warmup: { requests: [queuedRequest(base, q.warmItems, build)], amount: q.warmAmount },
    measure: { requests: [queuedRequest(base, q.measureItems, build)], amount: q.measureAmount },
  };
}

async function verifyPeer({ settings, peers }: ScenarioContext): Promise<PreparedScenario> {
  const peer = peers['better-auth'];
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
}

/**
 * The TOTP second step. The third side is Proofgate's login service under Node's own HTTP server
 * (bench/peers/login-service/server.ts): every round trip, throttle, replay check, session row
 * and audit row of the step, without the HTTP layer. The fourth is the sign-in floor
 * (bench/peers/sign-in-floor/server.ts): the least store work a throttled, replay-checked,
 * audited second step needs, with nothing around it — the ceiling the verify targets meet here.
 */
export const verify: Scenario = {
  id: 'verify',
  sides: [
    { server: 'Proofgate', prepare: (ctx) => proofgateVerifies(ctx, 'verify', '', ctx.stashPrefixes.Proofgate) },
    { server: 'better-auth', prepare: verifyPeer },
    {
      server: 'login service',
      prepare: (ctx) =>
        proofgateVerifies(
          ctx,
          'verify-service',
          " — Proofgate's twoFactor.verifyLogin under node:http (no Express, schema, request log, headers or cookies)",
          ctx.stashPrefixes['login service'],
        ),
    },
    {
      server: 'sign-in floor',
      prepare: (ctx) =>
        proofgateVerifies(
          ctx,
          'verify-floor',
          ' — the least store work of a throttled, replay-checked, audited second step under node:http (one Redis script takes the attempt and the points and returns the stash, one PostgreSQL statement, one Redis script gives back)',
          ctx.stashPrefixes['sign-in floor'],
        ),
    },
  ],
};

/** Item i uses user i mod U and that user's code number ⌊i / U⌋, so no user has two attempts in flight. */
function roundRobin<T>(count: number, users: readonly T[]) {
  return Array.from({ length: count }, (_, i) => ({ user: users[i % users.length]!, codeIndex: Math.floor(i / users.length) }));
}

async function backupCodeProofgate({ settings, proofgate, stashPrefixes }: ScenarioContext): Promise<PreparedScenario> {
  const { amount, warmupAmount, users: userCount } = settings.backupCode;
  const total = poolSize(settings, warmupAmount, amount);
  const users = await proofgate.createTwoFactorUsers(userCount, 'backup');
  const codes = await proofgate.addBackupCodes(users.map((u) => u.id), Math.ceil(total / userCount));
  const plan = roundRobin(total, users);
  const tokens = await proofgate.issueTempTokens(
    plan.map((p) => p.user.id),
    stashPrefixes.Proofgate,
  );
  const items = plan.map((p, i) => ({ token: tokens[i]!, code: codes.get(p.user.id)![p.codeIndex]! }));
  const q = splitQueues(items, settings, warmupAmount, amount);
  const build = (item: (typeof items)[number]) => ({ body: JSON.stringify({ temp_token: item.token, backup_code: item.code }) });
  const base = { method: 'POST' as const, path: '/api/auth/2fa/verify', headers: JSON_HEADERS };
  return {
    request: `POST /api/auth/2fa/verify {temp_token, backup_code} — ${users.length} users, each code and token used once`,
    warmup: { requests: [queuedRequest(base, q.warmItems, build)], amount: q.warmAmount },
    measure: { requests: [queuedRequest(base, q.measureItems, build)], amount: q.measureAmount },
  };
}

async function backupCodePeer({ settings, peers }: ScenarioContext): Promise<PreparedScenario> {
  const peer = peers['better-auth'];
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
}

export const backupCode: Scenario = {
  id: 'backup-code',
  sides: [
    { server: 'Proofgate', prepare: backupCodeProofgate },
    { server: 'better-auth', prepare: backupCodePeer },
  ],
};
