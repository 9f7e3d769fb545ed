import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server';
import { createPasskeyUser, passwordlessOptions, startPasskeyLogin } from '../support/passkeys';

let server: TestServer;
beforeAll(async () => {
  // Many parallel attempts from one address: the per-IP and per-user throttles are not what is under test here.
  server = await startTestServer({ env: { TWO_FACTOR_IP_MAX_FAILURES: '100000', TWO_FACTOR_USER_MAX_FAILURES: '1000', TWO_FACTOR_USER_DAILY_MAX_FAILURES: '10000' } });
});
afterAll(async () => {
  await server?.close();
});

const ROUNDS = 5;
const PARALLEL = 20;

describe('passkey assertions under concurrency', () => {
  it('one passwordless response sent 20 times at once opens exactly one session (5 rounds, zero escapes)', async () => {
    const user = await createPasskeyUser(server);
    let escapes = 0;
    for (let round = 0; round < ROUNDS; round += 1) {
      const response = user.authenticator.get(await passwordlessOptions(server.client()));
      const answers = await Promise.all(
        Array.from({ length: PARALLEL }, () => server.client().post('/api/auth/passkeys/authentication/verify', { response })),
      );
      const won = answers.filter((a) => a.status === 200).length;
      if (won !== 1) escapes += Math.max(0, won - 1);
      expect(won).toBe(1);
      for (const refused of answers.filter((a) => a.status !== 200)) expect(refused.body.error_code).toBe('PASSKEY_CHALLENGE_INVALID');
    }
    expect(escapes).toBe(0);
  });

  it('one temp token and one assertion sent 20 times at once open exactly one session (5 rounds, zero escapes)', async () => {
    const user = await createPasskeyUser(server);
    for (let round = 0; round < ROUNDS; round += 1) {
      const { tempToken, options } = await startPasskeyLogin(server, user.email);
      const response = user.authenticator.get(options);
      const answers = await Promise.all(
        Array.from({ length: PARALLEL }, () => server.client().post('/api/auth/passkeys/authentication/verify', { temp_token: tempToken, response })),
      );
      expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
      for (const refused of answers.filter((a) => a.status !== 200)) {
        expect(['PASSKEY_CHALLENGE_INVALID', 'TEMP_TOKEN_INVALID']).toContain(refused.body.error_code);
      }
    }
  });

  it('two assertions with the same counter, each with its own challenge, raced: one wins, the other is a counter regression', async () => {
    const user = await createPasskeyUser(server);
    for (let round = 1; round <= ROUNDS; round += 1) {
      const counter = round * 10;
      const first = user.authenticator.get(await passwordlessOptions(server.client()), { counter });
      const second = user.authenticator.get(await passwordlessOptions(server.client()), { counter });
      const answers = await Promise.all([first, second].map((response) => server.client().post('/api/auth/passkeys/authentication/verify', { response })));
      expect(answers.map((a) => a.status).sort()).toEqual([200, 400]);
      expect(answers.find((a) => a.status === 400)!.body.error_code).toBe('PASSKEY_COUNTER_REGRESSED');
    }
  });
});
