import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server';

/**
 * Threat: filling the challenge table. Each passkey sign-in options request stores a WebAuthn
 * challenge for TWO_FACTOR_TEMP_TOKEN_TTL, and the passwordless one asks for nothing first:
 * unthrottled, one address stored about 2,000 challenges a second (20,585 rows in 10 s against
 * `npm start`). PASSKEY_OPTIONS_IP_MAX_PER_HOUR counts every such request per client address.
 */

const LIMIT = 3;
let server: TestServer;
beforeAll(async () => {
  // TRUST_PROXY=loopback: the test picks its client address with X-Forwarded-For.
  server = await startTestServer({ env: { TRUST_PROXY: 'loopback', PASSKEY_OPTIONS_IP_MAX_PER_HOUR: String(LIMIT) } });
});
afterAll(async () => {
  await server?.close();
});

const options = (ip: string, body: Record<string, unknown> = {}) =>
  server.client().post('/api/auth/passkeys/authentication/options', body, { headers: { 'x-forwarded-for': ip } });
const storedChallenges = async () =>
  (await server.proofgate.database.query<{ n: number }>('select count(*)::int as n from passkey_challenges'))[0]!.n;

describe('passkey sign-in options: PASSKEY_OPTIONS_IP_MAX_PER_HOUR per client address, every request counted', () => {
  it('past the limit an address gets 429 RATE_LIMITED with Retry-After and stores no challenge; another address still gets options', async () => {
    const flooding = '198.51.100.50';
    for (let i = 0; i < LIMIT; i += 1) {
      const answered = await options(flooding);
      expect(answered.status).toBe(200);
      expect(typeof answered.body.challenge).toBe('string');
    }
    const before = await storedChallenges();

    // Requests with a temp token count too (a bad one here): each would store a challenge when good.
    for (const body of [{}, { temp_token: 'tt_not-a-real-token-at-all-000000' }]) {
      const refused = await options(flooding, body);
      expect(refused.status).toBe(429);
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
      expect(refused.body.error_code).toBe('RATE_LIMITED');
      expect(refused.body.retry_after).toBeGreaterThan(0);
      expect(refused.headers.get('retry-after')).toBe(String(refused.body.retry_after));
    }
    expect(await storedChallenges()).toBe(before);

    const other = await options('198.51.100.51');
    expect(other.status).toBe(200);
    expect(await storedChallenges()).toBe(before + 1);
  });
});
