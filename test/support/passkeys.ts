import type { HttpClient } from './http-client';
import { SoftwareAuthenticator } from './passkey-authenticator';
import { registerAndLogin, STRONG_PASSWORD, type TestServer } from './test-server';

/** The origin WebAuthn expects from a development server without PUBLIC_URL: localhost on its port. */
export function passkeyOrigin(server: TestServer): string {
  return server.url.replace('127.0.0.1', 'localhost');
}

export function newAuthenticator(server: TestServer, options: ConstructorParameters<typeof SoftwareAuthenticator>[1] = {}) {
  return new SoftwareAuthenticator(passkeyOrigin(server), options);
}

/** Adds a passkey from `authenticator` to the signed-in (fresh) session of `client`. */
export async function addPasskey(client: HttpClient, authenticator: SoftwareAuthenticator, name?: string) {
  const options = await client.post('/api/auth/passkeys/registration/options');
  if (options.status !== 200) throw new Error(`registration options failed: ${options.status} ${options.text}`);
  const response = authenticator.create(options.body);
  const verify = await client.post('/api/auth/passkeys/registration/verify', { response, ...(name ? { name } : {}) });
  if (verify.status !== 200) throw new Error(`registration verify failed: ${verify.status} ${verify.text}`);
  return { options: options.body, verify: verify.body, response };
}

/** A registered user whose only second factor is one passkey, signed out. */
export async function createPasskeyUser(server: TestServer, authenticatorOptions?: ConstructorParameters<typeof SoftwareAuthenticator>[1]) {
  const { client, email, password, userId } = await registerAndLogin(server);
  const authenticator = newAuthenticator(server, authenticatorOptions);
  const added = await addPasskey(client, authenticator);
  await client.post('/api/auth/logout');
  return { email, password, userId, authenticator, backupCodes: added.verify.backup_codes as string[], passkeyId: added.verify.id as string };
}

/** Password step, then passkey options for the temp token. */
export async function startPasskeyLogin(server: TestServer, email: string, password = STRONG_PASSWORD, client = server.client()) {
  const login = await client.post('/api/auth/login', { email, password });
  if (login.status !== 200 || login.body.requires_2fa !== true) throw new Error(`login failed: ${login.status} ${login.text}`);
  const tempToken = login.body.temp_token as string;
  const options = await client.post('/api/auth/passkeys/authentication/options', { temp_token: tempToken });
  if (options.status !== 200) throw new Error(`authentication options failed: ${options.status} ${options.text}`);
  return { client, tempToken, login: login.body, options: options.body };
}

export async function passwordlessOptions(client: HttpClient) {
  const options = await client.post('/api/auth/passkeys/authentication/options', {});
  if (options.status !== 200) throw new Error(`passwordless options failed: ${options.status} ${options.text}`);
  return options.body;
}
