import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../support/http-client';
import { testDatabaseKind } from '../support/test-database';
import { registerAndLogin, startTestServer, type TestServer } from '../support/test-server';
import { enableTwoFactor } from '../support/two-factor';

/**
 * Session checks are answered from a short per-instance cache (SESSION_CACHE_MS), and that cache
 * must never let a revoked session through: on the instance that revoked it, the very next
 * request is refused, however many checks of the same session were in flight while the
 * revocation ran; on another instance, no later than 1 s after the revocation answered.
 * The race runs many rounds and counts escapes; on the PostgreSQL project it runs on
 * PostgreSQL and, with TEST_REDIS_URL, a Redis limiter store.
 */

const ROUNDS = 24;
/** Session checks sent beside each revocation, so some are in flight on either side of its commit. */
const CHECKS_IN_FLIGHT = 12;
const CROSS_INSTANCE_BOUND_MS = 1_000;
const NEW_PASSWORD = 'a brand new passphrase 42';

const redisEnv =
  testDatabaseKind() === 'postgres' && process.env.TEST_REDIS_URL
    ? { REDIS_URL: process.env.TEST_REDIS_URL, REDIS_KEY_PREFIX: `pgtest_${randomBytes(4).toString('hex')}` }
    : {};
const env = {
  TRUST_PROXY: 'loopback',
  LOGIN_IP_EMAIL_MAX_FAILURES: '10000',
  LOGIN_IP_MAX_FAILURES: '100000',
  LOGIN_EMAIL_MAX_FAILURES: '10000',
  ...redisEnv,
};

let a: TestServer;
let b: TestServer;
beforeAll(async () => {
  a = await startTestServer({ env });
  // A second instance on the same database and limiter store, with its own memory.
  b = await startTestServer({ env, database: a.database, clock: a.clock });
});
afterAll(async () => {
  await b?.close();
  await a?.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A client of `server` holding only the given session cookie. */
function holding(server: TestServer, token: string): HttpClient {
  const client = server.client();
  client.cookies.set('proofgate_session', token);
  return client;
}

const me = (server: TestServer, token: string) => holding(server, token).get('/api/auth/me');

interface Victim {
  /** The session that is revoked. */
  token: string;
  /** Revokes it, from wherever the kind of revocation is made; resolves once it answered. */
  revoke(): Promise<void>;
}

/** A new user signed in in two browsers: `token` is the first one's session, `other` the second browser. */
async function signedInTwice(server: TestServer) {
  const user = await registerAndLogin(server);
  const token = user.client.cookies.get('proofgate_session')!;
  const other = server.client();
  expect((await other.post('/api/auth/login', { email: user.email, password: user.password })).status).toBe(200);
  return { user, token, other };
}

/** The ways a session ends: each prepares a fresh victim session on `server`. */
const REVOCATIONS: Record<string, (server: TestServer) => Promise<Victim>> = {
  async logout(server) {
    const user = await registerAndLogin(server);
    const token = user.client.cookies.get('proofgate_session')!;
    return {
      token,
      async revoke() {
        expect((await user.client.post('/api/auth/logout')).status).toBe(204);
      },
    };
  },
  async 'revoke from another session'(server) {
    const { user, token, other } = await signedInTwice(server);
    const list = await user.client.get('/api/auth/sessions');
    const victimId = (list.body.sessions as Array<{ id: string; current: boolean }>).find((s) => s.current)!.id;
    return {
      token,
      async revoke() {
        expect((await other.request('DELETE', `/api/auth/sessions/${victimId}`)).status).toBe(204);
      },
    };
  },
  async 'password change elsewhere'(server) {
    const { user, token, other } = await signedInTwice(server);
    return {
      token,
      async revoke() {
        const changed = await other.post('/api/auth/password', { current_password: user.password, new_password: NEW_PASSWORD });
        expect(changed.status, changed.text).toBe(200);
      },
    };
  },
  async 'second factor turned on elsewhere'(server) {
    const { token, other } = await signedInTwice(server);
    return {
      token,
      async revoke() {
        await enableTwoFactor(server, other);
      },
    };
  },
};

describe('session cache and revocation', () => {
  it(`the instance that revoked refuses the session on its next request: ${ROUNDS} rounds, zero escapes`, { timeout: 300_000 }, async () => {
    const kinds = Object.entries(REVOCATIONS);
    const escapes: string[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      const [kind, prepare] = kinds[round % kinds.length]!;
      const victim = await prepare(a);
      expect((await me(a, victim.token)).status, `${kind}: warm`).toBe(200);
      const checks: Promise<unknown>[] = [];
      const revoked = victim.revoke();
      for (let i = 0; i < CHECKS_IN_FLIGHT; i += 1) {
        checks.push(me(a, victim.token));
        if (i % 3 === 0) await sleep(1);
      }
      await revoked;
      const after = await me(a, victim.token);
      if (after.status !== 401) escapes.push(`round ${round} (${kind}): ${after.status}`);
      await Promise.all(checks);
    }
    expect(escapes).toEqual([]);
  });

  it('another instance refuses a revoked session within 1 s of the revocation answering', { timeout: 120_000 }, async () => {
    for (const [kind, prepare] of Object.entries(REVOCATIONS)) {
      const victim = await prepare(a);
      // B holds the session in its cache: it answered from it a moment ago.
      expect((await me(b, victim.token)).status, `${kind}: warm on B`).toBe(200);
      expect((await me(b, victim.token)).status).toBe(200);
      await victim.revoke();
      const answeredAt = performance.now();
      expect((await me(a, victim.token)).status, `${kind}: A, at once`).toBe(401);
      // Ask B right up to the bound; whatever it said before, from the bound on it must refuse.
      let lastBeforeBound = 0;
      while (performance.now() - answeredAt < CROSS_INSTANCE_BOUND_MS - 50) {
        lastBeforeBound = (await me(b, victim.token)).status;
        await sleep(20);
      }
      while (performance.now() - answeredAt < CROSS_INSTANCE_BOUND_MS) await sleep(5);
      expect((await me(b, victim.token)).status, `${kind}: B after 1 s (last answer before: ${lastBeforeBound})`).toBe(401);
    }
  });

  it('a cached session still expires exactly at its idle deadline', { timeout: 60_000 }, async () => {
    const server = await startTestServer({ env: { SESSION_IDLE_SECONDS: '60' } });
    try {
      const user = await registerAndLogin(server);
      const token = user.client.cookies.get('proofgate_session')!;
      expect((await me(server, token)).status).toBe(200);
      server.clock.advanceMs(59_999);
      // Last seen is refreshed at a tenth of the idle timeout: this check moves it on.
      expect((await me(server, token)).status).toBe(200);
      server.clock.advanceMs(60_000);
      expect((await me(server, token)).status).toBe(401);
    } finally {
      await server.close();
    }
  });
});
