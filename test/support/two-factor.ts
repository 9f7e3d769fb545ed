import { generateTotpCode } from '../../src/server/twofactor/totp';
import type { HttpClient } from './http-client';
import { registerAndLogin, STRONG_PASSWORD, type TestServer } from './test-server';

/** The authenticator app: the code for the server's (fake) clock. */
export function totpNow(server: TestServer, secret: string): string {
  return generateTotpCode(secret, server.clock.nowMs());
}

/** A well-formed code that is certainly wrong right now (the right one is never 000000 and 111111 at once). */
export function wrongTotpNow(server: TestServer, secret: string): string {
  return totpNow(server, secret) === '000000' ? '111111' : '000000';
}

/** Moves to the next 30 s step, so a fresh code is not a replay of the last accepted one. */
export function totpNextStep(server: TestServer, secret: string): string {
  server.clock.advanceSeconds(30);
  return totpNow(server, secret);
}

export async function enableTwoFactor(server: TestServer, client: HttpClient) {
  const setup = await client.post('/api/auth/2fa/setup');
  if (setup.status !== 200) throw new Error(`setup failed: ${setup.status} ${setup.text}`);
  const secret = setup.body.secret as string;
  const confirm = await client.post('/api/auth/2fa/confirm', { code: totpNow(server, secret) });
  if (confirm.status !== 200) throw new Error(`confirm failed: ${confirm.status} ${confirm.text}`);
  return { secret, backupCodes: confirm.body.backup_codes as string[], setup: setup.body, confirm: confirm.body };
}

/** A registered user with 2FA enabled, signed out; returns what a later sign-in needs. */
export async function createTwoFactorUser(server: TestServer) {
  const { client, email, password, userId } = await registerAndLogin(server);
  const enabled = await enableTwoFactor(server, client);
  await client.post('/api/auth/logout');
  return { email, password, userId, ...enabled };
}

export async function startTwoFactorLogin(server: TestServer, email: string, password = STRONG_PASSWORD, client = server.client()) {
  const login = await client.post('/api/auth/login', { email, password });
  if (login.status !== 200 || login.body.requires_2fa !== true) throw new Error(`login failed: ${login.status} ${login.text}`);
  return { client, tempToken: login.body.temp_token as string, login };
}
