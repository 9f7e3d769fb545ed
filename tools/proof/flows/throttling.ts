import { jsonObject } from '../checks/http';
import type { ProofServer } from '../servers';
import { codeMatches, codeNow, sleep, waitForStepAfter, wrongCode } from './authenticator';
import { FlowStop, post, type FlowContext, type ProofUser } from './context';
import { enableTwoFactor, registerAndLogin } from './two-factor';

/** B3: the second-factor lock and temp-token expiry, against the server's default thresholds. */

export async function enrolLockoutUser(ctx: FlowContext, server: ProofServer, user: ProofUser): Promise<void> {
  const { register, login } = await registerAndLogin(ctx, server, user, { register: 'b3-01-register', login: 'b3-02-login' });
  const { setup, confirm } = await enableTwoFactor(ctx, server, user, { setup: 'b3-03-setup', confirm: 'b3-04-confirm' });
  ctx.evidence.secondFactorThrottling.setup.push(register, login, setup, confirm);
}

async function passwordStep(ctx: FlowContext, server: ProofServer, user: ProofUser, id: string, title: string): Promise<string> {
  const login = await ctx.recorder.http(id, title, post(server, '/api/auth/login', user.jar, { email: user.email, password: user.password }));
  ctx.evidence.secondFactorThrottling.logins.push(login);
  const token = jsonObject(login).temp_token;
  if (typeof token !== 'string') throw new FlowStop(`${id} answered ${login.status} without a temp_token`);
  return token;
}

/**
 * Wrong codes until the user is locked. Each temp token dies after
 * TWO_FACTOR_TEMP_TOKEN_MAX_FAILURES (5) wrong codes, so the password step is repeated; the
 * user lock (TWO_FACTOR_USER_MAX_FAILURES, 10) spans temp tokens.
 */
export async function runLockout(ctx: FlowContext, server: ProofServer, user: ProofUser, tempTokenMaxFailures: number): Promise<void> {
  const throttling = ctx.evidence.secondFactorThrottling;
  if (!user.secret || user.lastStep === undefined || !user.userId) throw new FlowStop('the lockout user has no 2FA enrolment');
  // The "correct code during the lock" must be a code the user has not used yet: a step after confirm's.
  const waitedMs = await waitForStepAfter(user.lastStep);
  let token = '';
  let n = 0;
  while (throttling.wrong.length < throttling.maxFailures) {
    if (throttling.wrong.length % tempTokenMaxFailures === 0) {
      n += 1;
      token = await passwordStep(ctx, server, user, `b3-05-login-${n}`, `Password step #${n} (a temp token takes at most ${tempTokenMaxFailures} wrong codes)`);
    }
    const attempt = throttling.wrong.length + 1;
    const wrong = await ctx.recorder.http(`b3-06-wrong-code-${String(attempt).padStart(2, '0')}`, `Wrong code #${attempt}`, {
      ...post(server, '/api/auth/2fa/verify', user.jar, { temp_token: token, code: wrongCode(user.secret, Date.now(), attempt) }),
      ...(attempt === 1
        ? {
            note:
              waitedMs >= 100
                ? `waited ${(waitedMs / 1000).toFixed(1)} s first, so that the correct code sent during the lock belongs to a step this user has not used`
                : 'the current TOTP step is already after the one confirm used, so the correct code sent during the lock belongs to a step this user has not used',
          }
        : {}),
    });
    throttling.wrong.push(wrong);
    if (wrong.status !== 400) break;
  }
  n += 1;
  token = await passwordStep(ctx, server, user, `b3-07-login-${n}`, `Password step #${n}: the password is still right`);
  throttling.locked = await ctx.recorder.http('b3-08-locked', `Attempt #${throttling.maxFailures + 1}: the user is locked`, post(server, '/api/auth/2fa/verify', user.jar, { temp_token: token, code: wrongCode(user.secret, Date.now(), 99) }));
  throttling.lastUsedStep = await ctx.recorder.sql(
    server.proofgate.database,
    'b3-09-last-used-step',
    'The last TOTP step this user had accepted (the correct code below is for a later step)',
    'select last_used_step from two_factor_credentials where user_id = $1',
    [user.userId],
  );
  const stored = throttling.lastUsedStep.rows[0]?.last_used_step;
  const totp = codeNow(user.secret);
  throttling.lockedCorrect = await ctx.recorder.http('b3-10-correct-code-while-locked', 'The CORRECT current code while locked', post(server, '/api/auth/2fa/verify', user.jar, { temp_token: token, code: totp.code }));
  throttling.correctCode = {
    step: totp.step,
    lastUsedStep: stored === null || stored === undefined ? null : Number(stored),
    matchesSecret: codeMatches(user.secret, totp.code, totp.atMs),
  };
}

/**
 * A temp token used after its TTL: on a second server over the same database, started with
 * TWO_FACTOR_TEMP_TOKEN_TTL=5 (the documented minimum), waited out in real time.
 */
export async function runTempTokenExpiry(ctx: FlowContext, shortTtlServer: ProofServer, user: ProofUser): Promise<void> {
  const throttling = ctx.evidence.secondFactorThrottling;
  if (!user.secret) throw new FlowStop('the B2 user has no secret');
  const jar = `${user.jar}-short-ttl`;
  throttling.expiryLogin = await ctx.recorder.http(
    'b3-11-login-short-ttl',
    `Password step on the server with TWO_FACTOR_TEMP_TOKEN_TTL=${throttling.ttlSeconds}`,
    post(shortTtlServer, '/api/auth/login', jar, { email: user.email, password: user.password }),
  );
  const token = jsonObject(throttling.expiryLogin).temp_token;
  if (typeof token !== 'string') throw new FlowStop(`the short-TTL login answered ${throttling.expiryLogin.status} without a temp_token`);
  const issuedAt = Date.parse(throttling.expiryLogin.startedAt) + throttling.expiryLogin.durationMs;
  await sleep(throttling.ttlSeconds * 1000 + 1000);
  const waitedMs = Date.now() - issuedAt;
  throttling.expiryVerify = await ctx.recorder.http('b3-12-verify-after-ttl', 'The temp token used after its TTL', {
    ...post(shortTtlServer, '/api/auth/2fa/verify', jar, { temp_token: token, code: codeNow(user.secret).code }),
    note: `waited ${(waitedMs / 1000).toFixed(1)} s in real time after the temp token was issued (TTL ${throttling.ttlSeconds} s)`,
  });
  throttling.waitedMs = waitedMs;
}
