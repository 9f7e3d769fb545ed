import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpClient } from '../support/http-client';
import { expectOnlyCleanAnswers, RACE_TIMEOUT_MS, redisLimiterEnv, startRaceServer, streamLoginsAcross } from '../support/login-race';
import type { TestServer } from '../support/test-server';
import { createTwoFactorUser, startTwoFactorLogin, totpNextStep } from '../support/two-factor';

/**
 * A remembered browser signing in while the password changes: whichever commits first, no
 * session opened through the remembered device outlives the change, and the device itself is
 * forgotten (test/support/login-race.ts streams the logins).
 */

const ROUNDS = 8;
const LOGINS_PER_ROUND = 30;
const NEW_PASSWORD = 'a brand new passphrase 42';
const REMEMBER = 'proofgate_remember';

let server: TestServer;
beforeAll(async () => {
  server = await startRaceServer(redisLimiterEnv());
});
afterAll(async () => {
  await server?.close();
});

describe('remembered-device logins vs a password change', () => {
  it(`leave zero live sessions and no honoured device afterwards (${ROUNDS} rounds × ${LOGINS_PER_ROUND} logins)`, async () => {
    let rememberedSessions = 0;
    const survivors: string[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      const user = await createTwoFactorUser(server);
      // The remembered browser: its cookie is copied into every login of the stream.
      const { client: browser, tempToken } = await startTwoFactorLogin(server, user.email);
      const verify = await browser.post('/api/auth/2fa/verify', { temp_token: tempToken, code: totpNextStep(server, user.secret), remember_device: true });
      expect(verify.status, verify.text).toBe(200);
      const rememberToken = browser.cookies.get(REMEMBER)!;
      const ownerLogin = await startTwoFactorLogin(server, user.email);
      const owner = ownerLogin.client;
      expect((await owner.post('/api/auth/2fa/verify', { temp_token: ownerLogin.tempToken, code: totpNextStep(server, user.secret) })).status).toBe(200);

      const stream = {
        email: user.email,
        password: user.password,
        logins: LOGINS_PER_ROUND,
        firstIpOctet: 20,
        prepare: (client: HttpClient) => client.cookies.set(REMEMBER, rememberToken),
      };
      const logins = await streamLoginsAcross(server, stream, async () => {
        const change = await owner.post('/api/auth/password', { current_password: user.password, new_password: NEW_PASSWORD });
        expect(change.status, change.text).toBe(200);
      });
      expectOnlyCleanAnswers(logins);
      for (const { client, response } of logins) {
        if (response.status !== 200 || response.body.requires_2fa !== false) continue;
        rememberedSessions += 1;
        const probe = await client.get('/api/auth/me');
        if (probe.status !== 401) survivors.push(`round ${round}: remembered session → ${probe.status}`);
      }
      // The device is forgotten: the new password in the same browser still needs the code.
      const afterwards = server.client();
      afterwards.cookies.set(REMEMBER, rememberToken);
      const relogin = await afterwards.post('/api/auth/login', { email: user.email, password: NEW_PASSWORD });
      if (relogin.body.requires_2fa !== true) survivors.push(`round ${round}: remembered device still honoured (${relogin.status})`);
      expect((await owner.get('/api/auth/sessions')).body.remembered_devices).toEqual([]);
    }
    expect(survivors).toEqual([]);
    // The stream overlapped the change: some logins did get a remembered session before it.
    expect(rememberedSessions).toBeGreaterThan(0);
  }, RACE_TIMEOUT_MS);
});
