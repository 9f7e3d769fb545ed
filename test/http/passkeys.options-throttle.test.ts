import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHALLENGES_KEPT_PER_BINDING } from '../../src/server/passkeys/challenge-store';
import { createPasskeyUser, newAuthenticator } from '../support/passkeys';
import { registerAndLogin, startTestServer, type TestServer } from '../support/test-server';
import { expectRateLimited } from '../support/throttle-refusal';

/**
 * Threat: filling the challenge table. Each passkey sign-in options request stores a WebAuthn
 * challenge for TWO_FACTOR_TEMP_TOKEN_TTL, and the passwordless one asks for nothing first:
 * unthrottled, one address stored about 2,000 challenges a second (20,585 rows in 10 s against
 * `npm start`). PASSKEY_OPTIONS_IP_MAX_PER_HOUR counts every such request per client address;
 * PASSKEY_OPTIONS_GLOBAL_MAX_PER_HOUR the passwordless ones of every address together. A session
 * (adding a passkey) or a temp token (the passkey second factor) keeps only its newest few
 * challenges (CHALLENGES_KEPT_PER_BINDING), so a ceremony in another tab still completes.
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

const optionsOf = (on: TestServer) => (ip: string, body: Record<string, unknown> = {}) =>
  on.client().post('/api/auth/passkeys/authentication/options', body, { headers: { 'x-forwarded-for': ip } });
const challengesOf = (on: TestServer) => async () =>
  (await on.proofgate.database.query<{ n: number }>('select count(*)::int as n from passkey_challenges'))[0]!.n;
const options = (ip: string, body: Record<string, unknown> = {}) => optionsOf(server)(ip, body);
const storedChallenges = () => challengesOf(server)();

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
      expectRateLimited(await options(flooding, body));
    }
    expect(await storedChallenges()).toBe(before);

    const other = await options('198.51.100.51');
    expect(other.status).toBe(200);
    expect(await storedChallenges()).toBe(before + 1);
  });
});

describe('passkey sign-in options: PASSKEY_OPTIONS_GLOBAL_MAX_PER_HOUR, the passwordless ones of every address together', () => {
  const PER_ADDRESS = 2;
  const GLOBAL = 3;
  let capped: TestServer;
  beforeAll(async () => {
    capped = await startTestServer({
      env: { TRUST_PROXY: 'loopback', PASSKEY_OPTIONS_IP_MAX_PER_HOUR: String(PER_ADDRESS), PASSKEY_OPTIONS_GLOBAL_MAX_PER_HOUR: String(GLOBAL) },
    });
  });
  afterAll(async () => {
    await capped?.close();
  });

  it('many addresses together store at most the global count; an address refused by its own limit spends none of it; the passkey second factor is never refused by it', async () => {
    const ask = optionsOf(capped);
    const stored = challengesOf(capped);
    // Made before any options request: its passkey registration does not count here.
    const user = await createPasskeyUser(capped);

    // One address: its own limit, then refused by it. Its refused request spends no global point.
    for (let i = 0; i < PER_ADDRESS; i += 1) expect((await ask('203.0.113.10')).status).toBe(200);
    expectRateLimited(await ask('203.0.113.10'));
    // So another address still gets the global count's last point...
    expect((await ask('203.0.113.11')).status).toBe(200);
    expect(await stored()).toBe(GLOBAL);

    // ...and then every address is refused, within its own limit, and nothing more is stored.
    expectRateLimited(await ask('203.0.113.11'));
    expectRateLimited(await ask('203.0.113.12'));
    expect(await stored()).toBe(GLOBAL);

    // A second-factor request (a temp token, which took the password) does not count there: an
    // account whose only second factor is a passkey still signs in. Its address's own limit holds.
    const login = await capped.client().post('/api/auth/login', { email: user.email, password: user.password });
    expect(login.body.requires_2fa).toBe(true);
    const secondFactor = await ask('203.0.113.12', { temp_token: login.body.temp_token });
    expect(secondFactor.status).toBe(200);
    expect(typeof secondFactor.body.challenge).toBe('string');
    expect(await stored()).toBe(GLOBAL + 1);
    expectRateLimited(await ask('203.0.113.12', { temp_token: login.body.temp_token }));
  });
});

describe('a session or a temp token keeps its newest challenges, however often it asks', () => {
  // Asked one second apart (the test clock stands still otherwise), so "newest" is well defined;
  // the last test asks within one millisecond.
  const ASKS = 5;
  const KEPT = CHALLENGES_KEPT_PER_BINDING;
  let plain: TestServer;
  beforeAll(async () => {
    plain = await startTestServer();
  });
  afterAll(async () => {
    await plain?.close();
  });
  const storedFor = async (purpose: string) =>
    (await plain.proofgate.database.query<{ n: number }>('select count(*)::int as n from passkey_challenges where purpose = $1', [purpose]))[0]!.n;
  const askRepeatedly = async (ask: () => Promise<{ status: number; body: unknown }>, secondsApart = 1) => {
    const answers = [];
    for (let i = 0; i < ASKS; i += 1) {
      if (i > 0) plain.clock.advanceMs(secondsApart * 1000);
      const options = await ask();
      expect(options.status).toBe(200);
      answers.push(options.body as Record<string, unknown>);
    }
    return answers;
  };

  it(`adding a passkey: ${KEPT} rows per session; a ceremony started in another tab still registers, one older than those does not`, async () => {
    const { client } = await registerAndLogin(plain);
    const answers = await askRepeatedly(() => client.post('/api/auth/passkeys/registration/options'));
    expect(await storedFor('registration')).toBe(KEPT);

    const dropped = await client.post('/api/auth/passkeys/registration/verify', { response: newAuthenticator(plain).create(answers[ASKS - KEPT - 1]) });
    expect(dropped.status).toBe(400);
    expect(dropped.body.error_code).toBe('PASSKEY_CHALLENGE_INVALID');
    // The oldest kept answer (the other tab), then the newest: two passkeys, one per authenticator.
    const otherTab = await client.post('/api/auth/passkeys/registration/verify', { response: newAuthenticator(plain).create(answers[ASKS - KEPT]) });
    expect(otherTab.status).toBe(200);
    const newest = await client.post('/api/auth/passkeys/registration/verify', { response: newAuthenticator(plain).create(answers[ASKS - 1]) });
    expect(newest.status).toBe(200);
    // Each was single use.
    const again = await client.post('/api/auth/passkeys/registration/verify', { response: newAuthenticator(plain).create(answers[ASKS - 1]) });
    expect(again.body.error_code).toBe('PASSKEY_CHALLENGE_INVALID');
  });

  it(`the passkey second factor: ${KEPT} rows per temp token; a ceremony started in another tab still signs in, and then the token is spent`, async () => {
    const user = await createPasskeyUser(plain);
    const client = plain.client();
    const login = await client.post('/api/auth/login', { email: user.email, password: user.password });
    const tempToken = login.body.temp_token as string;
    const before = await storedFor('second_factor');
    const answers = await askRepeatedly(() => client.post('/api/auth/passkeys/authentication/options', { temp_token: tempToken }));
    expect(await storedFor('second_factor')).toBe(before + KEPT);

    const verify = (answer: Record<string, unknown>) =>
      client.post('/api/auth/passkeys/authentication/verify', { temp_token: tempToken, response: user.authenticator.get(answer) });
    const dropped = await verify(answers[ASKS - KEPT - 1]!);
    expect(dropped.status).toBe(400);
    expect(dropped.body.error_code).toBe('PASSKEY_CHALLENGE_INVALID');
    const otherTab = await verify(answers[ASKS - KEPT]!);
    expect(otherTab.status).toBe(200);
    expect(otherTab.body.session.aal).toBe(2);
    // One temp token opens one session: the newest tab's ceremony finds it used.
    const newest = await verify(answers[ASKS - 1]!);
    expect(newest.status).toBe(401);
    expect(newest.body.error_code).toBe('TEMP_TOKEN_INVALID');
  });

  it(`asked within one millisecond, a session still keeps exactly ${KEPT} rows`, async () => {
    const { client } = await registerAndLogin(plain);
    const before = await storedFor('registration');
    await askRepeatedly(() => client.post('/api/auth/passkeys/registration/options'), 0);
    expect(await storedFor('registration')).toBe(before + KEPT);
  });
});
