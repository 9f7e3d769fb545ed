import { jsonObject } from '../checks/http';
import type { ProofServer } from '../servers';
import { codeNow, describeStepWait, waitForStepAfter } from './authenticator';
import { FlowStop, get, post, requireOk, type FlowContext, type ProofUser } from './context';

/** B2 (and the B1 SQL): the two-factor journey of one user, with curl, on the real clock. */

export async function registerAndLogin(ctx: FlowContext, server: ProofServer, user: ProofUser, ids: { register: string; login: string }) {
  const register = await ctx.recorder.http(ids.register, `Register ${user.label}`, post(server, '/api/auth/register', user.jar, { email: user.email, password: user.password }));
  const id = (jsonObject(register).user as { id?: unknown } | undefined)?.id;
  if (typeof id === 'string') user.userId = id;
  const login = await ctx.recorder.http(ids.login, `Sign in ${user.label} with the password (2FA off)`, post(server, '/api/auth/login', user.jar, { email: user.email, password: user.password }));
  requireOk(register.status === 201 && login.status === 200, `register/login of ${user.label} answered ${register.status}/${login.status}`);
  return { register, login };
}

/** setup → confirm with the current code; the user now has 2FA and its step is burnt. */
export async function enableTwoFactor(ctx: FlowContext, server: ProofServer, user: ProofUser, ids: { setup: string; confirm: string }) {
  const setup = await ctx.recorder.http(ids.setup, `Start TOTP setup for ${user.label}`, post(server, '/api/auth/2fa/setup', user.jar));
  const secret = jsonObject(setup).secret;
  if (typeof secret !== 'string') throw new FlowStop(`setup for ${user.label} answered ${setup.status} without a secret`);
  user.secret = secret;
  const totp = codeNow(secret);
  const confirm = await ctx.recorder.http(ids.confirm, `Confirm setup with the authenticator's current code`, post(server, '/api/auth/2fa/confirm', user.jar, { code: totp.code }));
  requireOk(confirm.status === 200, `confirm for ${user.label} answered ${confirm.status}`);
  user.lastStep = totp.step;
  return { setup, confirm };
}

export async function runTwoFactorEnrolment(ctx: FlowContext, server: ProofServer, user: ProofUser): Promise<void> {
  const journey = ctx.evidence.twoFactorJourney;
  const { register, login } = await registerAndLogin(ctx, server, user, { register: 'b2-01-register', login: 'b2-02-login-password-only' });
  journey.register = register;
  journey.login = login;
  const { setup, confirm } = await enableTwoFactor(ctx, server, user, { setup: 'b2-03-setup', confirm: 'b2-04-confirm' });
  journey.setup = setup;
  journey.confirm = confirm;
  ctx.evidence.secretsAtRest.secret = user.secret;
  const codes = jsonObject(confirm).backup_codes;
  ctx.evidence.secretsAtRest.shownCodes = Array.isArray(codes) ? codes.filter((c): c is string => typeof c === 'string') : [];
}

/** B1: what the database holds right after enrolment, read with plain SQL. */
export async function readStoredSecrets(ctx: FlowContext, server: ProofServer, user: ProofUser): Promise<void> {
  const db = server.proofgate.database;
  const atRest = ctx.evidence.secretsAtRest;
  atRest.columns = await ctx.recorder.sql(
    db,
    'b1-01-columns',
    'Columns of the 2FA tables',
    `select table_name, column_name, data_type, is_nullable
  from information_schema.columns
 where table_schema = current_schema()
   and table_name in ('two_factor_credentials', 'two_factor_backup_codes', 'two_factor_challenges')
 order by table_name, ordinal_position`,
  );
  atRest.credential = await ctx.recorder.sql(
    db,
    'b1-02-stored-secret',
    `The stored TOTP secret of ${user.label}`,
    'select user_id, secret_ciphertext, enabled_at, last_used_step from two_factor_credentials where user_id = $1',
    [user.userId],
  );
  atRest.backupCodes = await ctx.recorder.sql(
    db,
    'b1-03-backup-code-hashes',
    `The stored backup codes of ${user.label} (the selector column is left out: it is the first group of each code)`,
    'select id, code_hash, used_at from two_factor_backup_codes where user_id = $1 order by id',
    [user.userId],
  );
}

/** logout → login (requires_2fa, no cookie) → /me 401 → wait for a fresh step → verify → status. */
export async function runTwoFactorSignIn(ctx: FlowContext, server: ProofServer, user: ProofUser): Promise<void> {
  const journey = ctx.evidence.twoFactorJourney;
  if (!user.secret || user.lastStep === undefined) throw new FlowStop(`${user.label} has no 2FA enrolment to sign in with`);
  journey.logout = await ctx.recorder.http('b2-05-logout', 'Sign out', post(server, '/api/auth/logout', user.jar));
  journey.loginRequires2fa = await ctx.recorder.http(
    'b2-06-login-requires-2fa',
    'Sign in with the password: a second factor is owed',
    post(server, '/api/auth/login', user.jar, { email: user.email, password: user.password }),
  );
  const tempToken = jsonObject(journey.loginRequires2fa).temp_token;
  if (typeof tempToken !== 'string') throw new FlowStop(`login answered ${journey.loginRequires2fa.status} without a temp_token`);
  journey.meBeforeVerify = await ctx.recorder.http('b2-07-me-before-verify', 'Who am I, between the two steps?', get(server, '/api/auth/me', user.jar));
  const waitedMs = await waitForStepAfter(user.lastStep);
  const totp = codeNow(user.secret);
  journey.verify = await ctx.recorder.http('b2-08-verify', 'Second step: temp_token + the current TOTP code', {
    ...post(server, '/api/auth/2fa/verify', user.jar, { temp_token: tempToken, code: totp.code }),
    note: describeStepWait(waitedMs, user.lastStep, 'confirm'),
  });
  requireOk(journey.verify.status === 200, `verify answered ${journey.verify.status}`);
  user.lastStep = totp.step;
  journey.status = await ctx.recorder.http('b2-09-status', '2FA status with the new session', get(server, '/api/auth/2fa/status', user.jar));
}

/** B1 again after sign-in: every temp token and session token of the run is stored only as a hash. */
export async function readStoredTokens(ctx: FlowContext, server: ProofServer): Promise<void> {
  const db = server.proofgate.database;
  ctx.evidence.secretsAtRest.challenges = await ctx.recorder.sql(
    db,
    'b1-04-challenges',
    'Every temp-token challenge in the database (all users of this run)',
    'select id, user_id, token_hash, expires_at, consumed_at, failed_attempts from two_factor_challenges order by created_at',
  );
  ctx.evidence.secretsAtRest.sessions = await ctx.recorder.sql(
    db,
    'b1-05-sessions',
    'Every session in the database (all users of this run)',
    'select id, user_id, token_hash, aal, authenticated_at from sessions order by created_at',
  );
}

export async function runTwoFactorDisable(ctx: FlowContext, server: ProofServer, user: ProofUser): Promise<void> {
  const journey = ctx.evidence.twoFactorJourney;
  if (!user.secret || user.lastStep === undefined) throw new FlowStop(`${user.label} is not signed in with 2FA`);
  const waitedMs = await waitForStepAfter(user.lastStep);
  const totp = codeNow(user.secret);
  journey.disable = await ctx.recorder.http('b2-10-disable', 'Turn 2FA off with a TOTP code', {
    ...post(server, '/api/auth/2fa/disable', user.jar, { code: totp.code }),
    note: describeStepWait(waitedMs, user.lastStep, 'verify'),
  });
  if (journey.disable.status === 200) user.lastStep = totp.step;
  journey.statusAfterDisable = await ctx.recorder.http('b2-11-status-after-disable', '2FA status after disabling', get(server, '/api/auth/2fa/status', user.jar));
}
