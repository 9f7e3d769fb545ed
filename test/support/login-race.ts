import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import type { HttpClient, HttpResponse } from './http-client';
import { testDatabaseKind } from './test-database';
import { startTestServer, type TestServer } from './test-server';

/**
 * What the race tests share: a server whose password throttles stay out of the way, and a stream
 * of logins with one credential change landing in the middle of it. The races run many rounds and
 * assert zero escapes; on the PostgreSQL project they run against PostgreSQL and, where
 * TEST_REDIS_URL is set, a Redis limiter store.
 */

/** Each race round streams tens of argon2 checks over two shared cores: seconds, not milliseconds. */
export const RACE_TIMEOUT_MS = 300_000;
/** Time between two logins of a stream: the change lands in the middle of it. */
const STREAM_GAP_MS = 4;

/** A Redis limiter store (own key prefix) on the PostgreSQL project when TEST_REDIS_URL is set; else the default store. */
export function redisLimiterEnv(): Record<string, string> {
  return testDatabaseKind() === 'postgres' && process.env.TEST_REDIS_URL
    ? { REDIS_URL: process.env.TEST_REDIS_URL, REDIS_KEY_PREFIX: `pgtest_${randomBytes(4).toString('hex')}` }
    : {};
}

/**
 * Every password throttle out of the way: a correct password still reserves a point per request
 * in flight before its hash, so tens of logins at once from one address would meet the per-address
 * limits, which is not what a race test is about.
 */
export const RACE_THROTTLE_ENV: Readonly<Record<string, string>> = {
  TRUST_PROXY: 'loopback',
  LOGIN_IP_EMAIL_MAX_FAILURES: '10000',
  LOGIN_IP_MAX_FAILURES: '100000',
  LOGIN_EMAIL_MAX_FAILURES: '10000',
  // Refused stale temp tokens keep their per-IP point, as they should; hundreds are sent here.
  TWO_FACTOR_IP_MAX_FAILURES: '100000',
};

/** The races are about sessions, not throttles: every password throttle is kept out of the way. */
export function startRaceServer(redisEnv: Record<string, string>): Promise<TestServer> {
  return startTestServer({ env: { ...RACE_THROTTLE_ENV, ...redisEnv } });
}

export interface StreamedLogin {
  client: HttpClient;
  response: HttpResponse;
}

export interface LoginStream {
  email: string;
  password: string;
  logins: number;
  /** The last octet of the first of five client addresses, so the stream looks like an attacker with a few machines. */
  firstIpOctet: number;
  /** Prepares each streaming client before its login (a copied cookie, say). */
  prepare?: (client: HttpClient) => void;
}

/**
 * Sends `stream.logins` logins, one every STREAM_GAP_MS, and runs `change` once a third of them
 * are on their way; resolves when every login and the change answered.
 */
export async function streamLoginsAcross(server: TestServer, stream: LoginStream, change: () => Promise<void>): Promise<StreamedLogin[]> {
  const logins: Array<Promise<StreamedLogin>> = [];
  let changed: Promise<void> | undefined;
  for (let i = 0; i < stream.logins; i += 1) {
    if (i === Math.floor(stream.logins / 3)) changed = change();
    const client = server.client();
    stream.prepare?.(client);
    const headers = { 'x-forwarded-for': `203.0.113.${(i % 5) + stream.firstIpOctet}` };
    logins.push(client.post('/api/auth/login', { email: stream.email, password: stream.password }, { headers }).then((response) => ({ client, response })));
    await new Promise((resolve) => setTimeout(resolve, STREAM_GAP_MS));
  }
  await changed;
  return Promise.all(logins);
}

/** Every answer of a login stream is a session, a second-factor step, or a clean refusal: never a 5xx. */
export function expectOnlyCleanAnswers(logins: StreamedLogin[]) {
  for (const { response } of logins) {
    expect([200, 401, 429, 503], response.text).toContain(response.status);
    if (response.status === 503) expect(response.body.error_code).toBe('SERVICE_UNAVAILABLE');
  }
}
