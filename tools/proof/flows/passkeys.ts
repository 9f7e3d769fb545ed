import { SoftwareAuthenticator } from '../../../test/support/passkey-authenticator';
import { jsonObject } from '../checks/http';
import type { ProofServer } from '../servers';
import { FlowStop, get, post, requireOk, type FlowContext, type ProofUser } from './context';
import { registerAndLogin } from './two-factor';

/**
 * PASSKEYS: a passkey added with curl and a software authenticator (P-256, attestation "none";
 * the same one the HTTP tests use), then the two sign-ins it opens — after the password, and
 * alone — and an assertion signed for another origin, refused. Without PUBLIC_URL the RP ID is
 * `localhost` and the origin the server's own port on localhost.
 */
const STORED_ROW_SQL = `select credential_id, public_key, user_handle, counter, transports, device_type, backed_up, name, created_at, last_used_at
  from passkey_credentials
 where user_id = $1`;

export async function runPasskeys(ctx: FlowContext, server: ProofServer, user: ProofUser): Promise<void> {
  const s = ctx.evidence.passkeys;
  const db = server.proofgate.database;
  // WebAuthn's origin is PUBLIC_URL's when the server has one (it does when the SMTP fake runs: reset links need it).
  const origin = server.proofgate.config.publicUrl ?? server.url.replace('127.0.0.1', 'localhost');
  s.rpId = new URL(origin).hostname;
  const authenticator = new SoftwareAuthenticator(origin);
  await registerAndLogin(ctx, server, user, { register: 'pk-01-register', login: 'pk-02-login-password-only' });
  s.registrationOptions = await ctx.recorder.http('pk-03-registration-options', 'Ask for WebAuthn creation options (the session is fresh: just signed in)', post(server, '/api/auth/passkeys/registration/options', user.jar));
  requireOk(s.registrationOptions.status === 200, `registration options answered ${s.registrationOptions.status}`);
  const response = authenticator.create(s.registrationOptions.json);
  s.registrationVerify = await ctx.recorder.http('pk-04-registration-verify', 'The authenticator\'s attestation ("none") goes back: the passkey is added, two-factor turns on', post(server, '/api/auth/passkeys/registration/verify', user.jar, { response, name: 'Proof authenticator' }));
  requireOk(s.registrationVerify.status === 200, `registration verify answered ${s.registrationVerify.status}`);
  s.list = await ctx.recorder.http('pk-05-list', 'The passkeys of the account', get(server, '/api/auth/passkeys', user.jar));
  s.columns = await ctx.recorder.sql(db, 'pk-06-columns', 'Columns of the passkey table', `select column_name, data_type from information_schema.columns where table_schema = current_schema() and table_name = 'passkey_credentials' order by ordinal_position`);
  s.rowAfterRegistration = await ctx.recorder.sql(db, 'pk-07-stored-row', 'The stored credential: public data only', STORED_ROW_SQL, [user.userId ?? '']);

  await ctx.recorder.http('pk-08-logout', 'Sign out', post(server, '/api/auth/logout', user.jar));
  s.login = await ctx.recorder.http('pk-09-login', 'Sign in with the password: a second factor is owed, and the methods name the passkey', post(server, '/api/auth/login', user.jar, { email: user.email, password: user.password }));
  const tempToken = jsonObject(s.login).temp_token;
  if (typeof tempToken !== 'string') throw new FlowStop(`login answered ${s.login.status} without a temp token`);
  s.secondFactorOptions = await ctx.recorder.http('pk-10-second-factor-options', 'Passkey options for this temp token (the account\'s passkeys allowed)', post(server, '/api/auth/passkeys/authentication/options', user.jar, { temp_token: tempToken }));
  s.secondFactorVerify = await ctx.recorder.http('pk-11-second-factor-verify', 'The signed assertion with the temp token: an AAL2 session', post(server, '/api/auth/passkeys/authentication/verify', user.jar, { temp_token: tempToken, response: authenticator.get(s.secondFactorOptions.json) }));

  const jar = `${user.jar}-passwordless`;
  s.passwordlessOptions = await ctx.recorder.http('pk-12-passwordless-options', 'Another browser, no password: options for a discoverable passkey', post(server, '/api/auth/passkeys/authentication/options', jar, {}));
  s.passwordlessVerify = await ctx.recorder.http('pk-13-passwordless-verify', 'The assertion alone (user verified): an AAL2 session', post(server, '/api/auth/passkeys/authentication/verify', jar, { response: authenticator.get(s.passwordlessOptions.json) }));
  s.me = await ctx.recorder.http('pk-14-me', 'Who that browser is now', get(server, '/api/auth/me', jar));

  const phishJar = `${user.jar}-phished`;
  const phishOptions = await ctx.recorder.http('pk-15-phished-options', 'A look-alike page asks the server for options', post(server, '/api/auth/passkeys/authentication/options', phishJar, {}));
  s.wrongOrigin = await ctx.recorder.http('pk-16-phished-verify', 'An assertion the authenticator signed on https://proofgate.example.evil: refused', post(server, '/api/auth/passkeys/authentication/verify', phishJar, { response: authenticator.get(phishOptions.json, { origin: 'https://proofgate.example.evil' }) }));
  s.rowAfterSignIns = await ctx.recorder.sql(db, 'pk-17-stored-row-after', 'The stored credential after two sign-ins: the counter moved, last use recorded', STORED_ROW_SQL, [user.userId ?? '']);
}
