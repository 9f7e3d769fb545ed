import type { CheckResult, FlowError, HttpExchange, ProofItem, SqlEvidence } from './evidence';
import { checkEveryResponseHasRequestId, jsonObject } from './checks/http';
import { checkGuardPassed } from './checks/guard';
import { check, missingEvidence, need, needAll, recordedRows as sqlRows, statusOf } from './checks/result';
import { checkBrowserTestsPassed, checkScreenshotsFresh, EXPECTED_SCREENSHOTS } from './checks/screenshots';
import {
  checkDestinationMasked,
  checkDestinationRefused,
  checkProviderReceived,
  checkProviderUntouched,
  checkRefusalRecorded,
  checkSmsAccepted,
  checkUsageEventHasTraceId,
} from './checks/sms';
import {
  checkBlockersPresent,
  checkBlockersRemoved,
  checkCountIncremented,
  checkIntegrationConnected,
  checkIntegrationNotConfigured,
  checkLastUsedChanged,
} from './checks/status';
import { checkBackupCodeHashes, checkSecretNotBase32, checkTokensStoredAsHashes, checkTwoFactorColumns } from './checks/storage';
import { checkCorrectCodeRefusedDuringLock, checkLockAfterFailures, checkRetryAfter, checkTempTokenExpired, checkWrongCodeRefused } from './checks/throttling';
import {
  backupCodesOf,
  checkBackupCodesShownOnce,
  checkConfirmReturnsTenBackupCodes,
  checkDisabled,
  checkLoginRequires2faWithoutCookie,
  checkLoginWithoutTwoFactorSetsCookie,
  checkLogoutClearsSession,
  checkNotSignedInBeforeSecondFactor,
  checkRegistered,
  checkSetupReturnsSecretAndQr,
  checkTwoFactorStatus,
  checkVerifySetsSessionCookie,
} from './checks/two-factor';
import { ITEMS, type ItemText } from './item-texts';
import type { ProofEvidence } from './run-evidence';
import { evaluatePasskeys } from './checks/passkeys';
import { checkSessionRevoked, checkSessionsListed } from './checks/sessions';
import { checkForgotIdentical, checkNoSecretInMail, checkNoticesArrived, checkResetMailOnlyToOwner, checkResetTokenStoredHashed, checkResetWorksOnce } from './checks/mail';
import type { RecordedSecret } from './checks/redaction';
import { checkGrantedByCli, checkNoOldPasswordSessionSurvives, checkSelfRegisteredIsNotAdmin } from './checks/trust';

/**
 * Evidence → PASS/FAIL items. Pure: the same evidence always gives the same verdict, and a
 * missing piece of evidence is a failed check, never a skipped one.
 */

type Evidence = ProofItem['evidence'];

function http(...exchanges: Array<HttpExchange | undefined>): Evidence {
  return exchanges.filter((e): e is HttpExchange => e !== undefined).map((exchange) => ({ kind: 'http' as const, exchange }));
}

function sql(...runs: Array<SqlEvidence | undefined>): Evidence {
  return runs.filter((s): s is SqlEvidence => s !== undefined).map((s) => ({ kind: 'sql' as const, sql: s }));
}

function flowErrors(errors: readonly FlowError[]): CheckResult[] {
  return errors.map((e) => check(`the flow step "${e.step}" runs to the end`, false, e.message));
}

/** Every session cookie any client of the run was given. */
function sessionTokensOf(exchanges: readonly HttpExchange[]): string[] {
  return exchanges
    .flatMap((e) => e.headers.filter(([n]) => n.toLowerCase() === 'set-cookie').map(([, v]) => /^(?:__Host-)?proofgate_session=([^;]+)/.exec(v)?.[1]))
    .filter((v): v is string => typeof v === 'string' && v.length > 0);
}


function item({ id, title, proves }: ItemText, checks: CheckResult[], evidence: Evidence): ProofItem {
  return { id, title, proves, status: statusOf(checks), checks, evidence };
}

export function evaluateSecretsAtRest(ev: ProofEvidence, allExchanges: readonly HttpExchange[]): ProofItem {
  const atRest = ev.secretsAtRest;
  // Every bearer token any client of the run was given: all temp tokens, all session cookies.
  const tempTokens = allExchanges.flatMap((e) => {
    const t = jsonObject(e).temp_token;
    return typeof t === 'string' ? [t] : [];
  });
  const sessionTokens = sessionTokensOf(allExchanges);
  const checks = [
    need(sqlRows(atRest.columns), 'the 2FA tables have the expected columns', 'information_schema.columns', checkTwoFactorColumns),
    need(sqlRows(atRest.credential), 'the stored secret is not the base32 secret', 'two_factor_credentials row', (rows) => checkSecretNotBase32(rows[0], atRest.secret ?? '')),
    need(sqlRows(atRest.backupCodes), 'backup codes are argon2id hashes', 'two_factor_backup_codes rows', (rows) => checkBackupCodeHashes(rows, atRest.shownCodes)),
    need(sqlRows(atRest.challenges), 'temp tokens are stored as hashes', 'two_factor_challenges rows', (rows) => checkTokensStoredAsHashes(rows, tempTokens, 'temp token')),
    need(sqlRows(atRest.sessions), 'session tokens are stored as hashes', 'sessions rows', (rows) => checkTokensStoredAsHashes(rows, sessionTokens, 'session')),
    ...flowErrors(ev.errors.secretsAtRest),
  ];
  return item(ITEMS.secretsAtRest, checks, sql(atRest.columns, atRest.credential, atRest.backupCodes, atRest.challenges, atRest.sessions));
}

export function evaluateTwoFactorJourney(ev: ProofEvidence, allExchanges: readonly HttpExchange[]): ProofItem {
  const s = ev.twoFactorJourney;
  const codes = s.confirm ? backupCodesOf(s.confirm) : [];
  const later = s.confirm ? allExchanges.slice(allExchanges.indexOf(s.confirm) + 1) : [];
  const checks = [
    need(s.register, 'register answers 201', 'register', checkRegistered),
    need(s.login, 'login with 2FA off sets the session cookie', 'password-only login', checkLoginWithoutTwoFactorSetsCookie),
    need(s.setup, 'setup returns the secret and QR code', 'setup', checkSetupReturnsSecretAndQr),
    need(s.confirm, 'confirm returns 10 backup codes', 'confirm', checkConfirmReturnsTenBackupCodes),
    need(s.confirm, 'backup codes are shown once', 'confirm', () => checkBackupCodesShownOnce(codes, later)),
    need(s.logout, 'logout clears the session', 'logout', checkLogoutClearsSession),
    need(s.loginRequires2fa, 'login with 2FA on sets no cookie', 'login with 2FA on', checkLoginRequires2faWithoutCookie),
    need(s.meBeforeVerify, 'no session before the second factor', '/api/auth/me between the steps', checkNotSignedInBeforeSecondFactor),
    need(s.verify, 'verify sets the session cookie', 'verify', checkVerifySetsSessionCookie),
    need(s.status, '2FA status after sign-in', 'status', (e) => checkTwoFactorStatus(e, { enabled: true, backupCodesRemaining: 10 })),
    need(s.disable, 'disable with a TOTP code', 'disable', checkDisabled),
    need(s.statusAfterDisable, '2FA status after disable', 'status after disable', (e) => checkTwoFactorStatus(e, { enabled: false })),
    ...flowErrors(ev.errors.twoFactorJourney),
  ];
  return item(ITEMS.twoFactorJourney, checks, http(s.register, s.login, s.setup, s.confirm, s.logout, s.loginRequires2fa, s.meBeforeVerify, s.verify, s.status, s.disable, s.statusAfterDisable));
}

export function evaluateSecondFactorThrottling(ev: ProofEvidence, allExchanges: readonly HttpExchange[]): ProofItem {
  const s = ev.secondFactorThrottling;
  const wrongResults = s.wrong.map(checkWrongCodeRefused);
  const checks = [
    s.wrong.length > 0
      ? check(
          'every wrong code is refused with 400 INVALID_CODE (problem+json, no cookie)',
          wrongResults.every((r) => r.passed),
          [...new Set(wrongResults.map((r) => r.observed))].join('; '),
        )
      : missingEvidence('wrong codes are refused', 'wrong-code attempts'),
    need(s.locked, 'the lock comes after the configured failures', 'the locked attempt', (locked) => checkLockAfterFailures(s.wrong, locked, s.maxFailures)),
    need(s.locked, 'the lock answer carries retry_after', 'the locked attempt', checkRetryAfter),
    need(s.lockedCorrect, 'a correct code during the lock is refused', 'the correct code during the lock', (e) =>
      need(s.correctCode, 'a correct code during the lock is refused', 'the code sent', (code) => checkCorrectCodeRefusedDuringLock(e, code)),
    ),
    need(s.lockedCorrect, 'the refusal of the correct code carries retry_after', 'the correct code during the lock', checkRetryAfter),
    needAll([s.expiryLogin, s.expiryVerify, s.waitedMs], 'a temp token used after its TTL is refused with TEMP_TOKEN_EXPIRED', 'the short-TTL login and verify', (login, verify, waitedMs) =>
      checkTempTokenExpired(login, verify, { ttlSeconds: s.ttlSeconds, waitedMs }),
    ),
    ...flowErrors(ev.errors.secondFactorThrottling),
  ];
  // Recorded order, the SQL read where it was made, the expiry flow (another server) last.
  const lockout = allExchanges.filter((e) => e.id.startsWith('b3-') && !e.id.startsWith('b3-11') && !e.id.startsWith('b3-12'));
  const split = lockout.findIndex((e) => e.id.startsWith('b3-10'));
  const beforeSql = split < 0 ? lockout : lockout.slice(0, split);
  const afterSql = split < 0 ? [] : lockout.slice(split);
  return item(ITEMS.secondFactorThrottling, checks, [...http(...beforeSql), ...sql(s.lastUsedStep), ...http(...afterSql, s.expiryLogin, s.expiryVerify)]);
}

export function evaluateTestSms(ev: ProofEvidence): ProofItem {
  const s = ev.testSms;
  const checks: CheckResult[] = [];
  if (s.mode === 'incomplete') checks.push(check('the Twilio settings in the environment are complete', false, s.problems.join('; ')));
  if (s.mode === 'no-destination') {
    checks.push(check('a destination number is given for the real SMS (PROOF_SMS_TO)', false, 'PROOF_SMS_TO is not set: B4 cannot run with real Twilio keys, and the proof does not fake it'));
  }
  const answer = s.send ? jsonObject(s.send) : {};
  const traceId = typeof answer.trace_id === 'string' ? answer.trace_id : '';
  const messageId = typeof answer.provider_message_id === 'string' ? answer.provider_message_id : undefined;
  if (s.mode === 'fake' || s.mode === 'real') {
    checks.push(
      need(s.send, 'the test SMS is accepted', 'POST /api/alerts/sms/test', checkSmsAccepted),
      need(sqlRows(s.usage), 'the usage event carries the trace_id', 'integration_usage_events row', (rows) => checkUsageEventHasTraceId(rows, traceId, messageId)),
      need(sqlRows(s.usage), 'the destination is stored masked', 'integration_usage_events row', (rows) => checkDestinationMasked(rows[0], s.destination ?? '')),
    );
    if (s.mode === 'fake') checks.push(need(s.providerReceived, 'the fake received the message', 'the fake\'s received()', (r) => checkProviderReceived(r, s.destination ?? '')));
    const refusedTrace = s.refused ? jsonObject(s.refused).trace_id : undefined;
    checks.push(
      need(s.refused, 'a premium-rate destination is refused', 'POST /api/alerts/sms/test (premium rate)', checkDestinationRefused),
      need(sqlRows(s.refusedUsage), 'the refusal is recorded', 'integration_usage_events row of the refusal', (rows) =>
        checkRefusalRecorded(rows, typeof refusedTrace === 'string' ? refusedTrace : ''),
      ),
    );
    if (s.mode === 'fake') checks.push(need(s.providerReceivedDuringRefusal, 'the fake saw nothing of the refusal', 'the fake\'s received()', checkProviderUntouched));
  }
  checks.push(...flowErrors(ev.errors.testSms));
  return item(ITEMS.testSms, checks, [...http(s.adminLogin, s.send), ...sql(s.usage), ...http(s.refused), ...sql(s.refusedUsage)]);
}

export const BARE_BLOCKERS = ['TWILIO_NOT_CONFIGURED', 'SMTP_NOT_CONFIGURED', 'APP_ENC_KEY_GENERATED', 'ADMIN_WITHOUT_2FA'];

export function evaluateControlPlane(ev: ProofEvidence): ProofItem {
  const s = ev.controlPlane;
  const checks = [
    need(s.notConfigured, 'integrations say not configured without keys', 'integrations status without keys', checkIntegrationNotConfigured),
    need(s.blockersPresent, 'system status lists the blockers', 'system status without keys', (e) => checkBlockersPresent(e, BARE_BLOCKERS)),
    need(s.before, 'integrations say connected with keys', 'integrations status before the send', checkIntegrationConnected),
    needAll([s.before, s.after], 'proof_of_use_count_24h increments by one after the send', 'integrations status before and after', checkCountIncremented),
    needAll([s.before, s.after], 'last_used_at changes after the send', 'integrations status before and after', checkLastUsedChanged),
    need(s.blockersRemoved, 'system status is clear with keys', 'system status with keys', (e) => checkBlockersRemoved(e, BARE_BLOCKERS)),
    ...flowErrors(ev.errors.controlPlane),
  ];
  return item(ITEMS.controlPlane, checks, http(s.adminRegister, s.adminLoginBare, s.notConfigured, s.blockersPresent, s.before, s.after, s.blockersRemoved));
}

export function evaluateAdmin(ev: ProofEvidence): ProofItem {
  const s = ev.admin;
  const checks = [
    needAll([s.register, s.statusBeforeGrant], 'a self-registered account is not an admin', 'register and the refused status read', checkSelfRegisteredIsNotAdmin),
    need(sqlRows(s.roleAfterGrant), 'the CLI grant is stored and audited', 'users.role and security_events', (rows) =>
      need(s.statusAfterGrant, 'System status opens after the grant', 'status after the grant', (status) => checkGrantedByCli(rows, s.cliOutput, status)),
    ),
    ...flowErrors(ev.errors.ADMIN),
  ];
  return item(ITEMS.admin, checks, [...http(s.register, s.login, s.statusBeforeGrant), ...sql(s.roleAfterGrant), ...http(s.statusAfterGrant)]);
}

export function evaluateRace(ev: ProofEvidence): ProofItem {
  const s = ev.race;
  const live = sqlRows(s.liveSessions)?.[0]?.live_sessions;
  const checks = [
    ...(s.change
      ? checkNoOldPasswordSessionSurvives(s.logins, s.probes, s.change, typeof live === 'number' ? live : undefined)
      : [missingEvidence('the password change answers 200', 'the password change')]),
    ...flowErrors(ev.errors.RACE),
  ];
  return item(ITEMS.race, checks, [...http(s.register, s.ownerLogin, ...s.logins.map((l) => l.exchange), s.change, ...s.probes), ...sql(s.liveSessions)]);
}

export function evaluateSessions(ev: ProofEvidence, allExchanges: readonly HttpExchange[]): ProofItem {
  const s = ev.sessions;
  const sessionTokens = sessionTokensOf(allExchanges);
  const checks = [
    need(s.list, 'the list shows both sessions, one current, by ids that are neither tokens nor token hashes', 'GET /api/auth/sessions', (list) =>
      checkSessionsListed(list, sessionTokens),
    ),
    ...(s.revoke && s.laptopMeAfter && s.listAfter
      ? checkSessionRevoked(s.revoke, s.laptopMeAfter, s.listAfter)
      : [missingEvidence('ending the other session answers 204', 'DELETE /api/auth/sessions/{id}')]),
    ...flowErrors(ev.errors.SESSIONS),
  ];
  return item(ITEMS.sessions, checks, http(s.register, s.login, s.laptopLogin, s.list, s.revoke, s.laptopMeAfter, s.listAfter));
}

export function evaluateMailReset(ev: ProofEvidence): ProofItem {
  const s = ev.mail;
  const checks = [
    needAll([s.forgotKnown, s.forgotUnknown], 'forgot answers alike', 'both forgot requests', checkForgotIdentical),
    needAll([s.mailbox, s.knownEmail, s.unknownEmail, s.publicUrl], 'the reset mail arrived', 'the SMTP fake mailbox', checkResetMailOnlyToOwner),
    need(s.reset, 'the reset works once', 'the reset request', () => checkResetWorksOnce(s)),
    need(sqlRows(s.tokenRow), 'the token is stored hashed', 'password_reset_tokens', checkResetTokenStoredHashed),
    ...flowErrors(ev.errors.MAIL.filter((e) => e.step !== 'capture the mailbox')),
  ];
  return item(ITEMS.mailReset, checks, [...http(s.register, s.forgotKnown, s.forgotUnknown, s.reset, s.oldLogin, s.newLogin, s.reuse), ...sql(s.tokenRow)]);
}

export function evaluateMailNotices(ev: ProofEvidence, secrets: readonly RecordedSecret[]): ProofItem {
  const s = ev.mail;
  const checks = s.mailbox
    ? [...checkNoticesArrived(s.mailbox, s.expectedNotices), checkNoSecretInMail(s.mailbox, secrets)]
    : [missingEvidence('security notices arrived', 'the SMTP fake mailbox')];
  const listing = (s.mailbox ?? []).map((m) => `${m.to.join(', ')}: ${m.subject}`).join('\n');
  return item(ITEMS.mailNotices, [...checks, ...flowErrors(ev.errors.MAIL.filter((e) => e.step === 'capture the mailbox'))], listing ? [{ kind: 'note', text: `Messages the SMTP fake received:\n${listing}` }] : []);
}

export function evaluateHttpContract(ev: ProofEvidence, allExchanges: readonly HttpExchange[]): ProofItem {
  const checks = [checkEveryResponseHasRequestId(allExchanges), ...flowErrors(ev.errors.setup)];
  return item(ITEMS.httpContract, checks, []);
}

export function evaluateGuard(ev: ProofEvidence): ProofItem {
  return item(ITEMS.guard, [checkGuardPassed(ev.guard), ...flowErrors(ev.errors.guard)], []);
}

export function evaluateScreenshots(ev: ProofEvidence): ProofItem {
  if (ev.browser.skipped) {
    return {
      id: ITEMS.screenshots.id,
      title: ITEMS.screenshots.title,
      proves: 'The UI story in real Chromium against a real server.',
      status: 'NOT RUN',
      notRunReason: '--no-browser was given: the browser tests did not run, so nothing here is proven',
      checks: [],
      evidence: [],
    };
  }
  const started = ev.browser.run ? ev.startedAtMs : Number.POSITIVE_INFINITY;
  return item(ITEMS.screenshots, [checkBrowserTestsPassed(ev.browser.run), checkScreenshotsFresh(ev.browser.screenshots, EXPECTED_SCREENSHOTS, started), ...flowErrors(ev.errors.screenshots)], []);
}

export function evaluateAll(ev: ProofEvidence, allExchanges: readonly HttpExchange[], secrets: readonly RecordedSecret[] = []): ProofItem[] {
  return [
    evaluateSecretsAtRest(ev, allExchanges),
    evaluateTwoFactorJourney(ev, allExchanges),
    evaluateSecondFactorThrottling(ev, allExchanges),
    evaluateTestSms(ev),
    evaluateControlPlane(ev),
    evaluateAdmin(ev),
    evaluateRace(ev),
    evaluatePasskeys(ev, allExchanges),
    evaluateSessions(ev, allExchanges),
    evaluateMailReset(ev),
    evaluateMailNotices(ev, secrets),
    evaluateHttpContract(ev, allExchanges),
    evaluateGuard(ev),
    evaluateScreenshots(ev),
  ];
}
