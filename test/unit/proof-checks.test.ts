import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import QRCode from 'qrcode';
import { afterEach, describe, expect, it } from 'vitest';
import type { CheckResult, CommandRun, HttpExchange, ScreenshotFile } from '../../tools/proof/evidence';
import { checkEveryResponseHasRequestId } from '../../tools/proof/checks/http';
import { checkGuardPassed } from '../../tools/proof/checks/guard';
import { checkGrantedByCli, checkNoOldPasswordSessionSurvives, checkSelfRegisteredIsNotAdmin } from '../../tools/proof/checks/trust';
import { checkNoSecretInImages, checkScreenshotsMasked } from '../../tools/proof/checks/images';
import { checkNoSecretInFiles, checkServerLogClean, findSecretLeaks, type RecordedSecret } from '../../tools/proof/checks/redaction';
import { checkBrowserTestsPassed, checkScreenshotsFresh, failedTests } from '../../tools/proof/checks/screenshots';
import {
  checkDestinationMasked,
  checkDestinationRefused,
  checkProviderReceived,
  checkProviderUntouched,
  checkRefusalRecorded,
  checkSmsAccepted,
  checkUsageEventHasTraceId,
} from '../../tools/proof/checks/sms';
import {
  checkBlockersPresent,
  checkBlockersRemoved,
  checkCountIncremented,
  checkIntegrationConnected,
  checkIntegrationNotConfigured,
  checkLastUsedChanged,
} from '../../tools/proof/checks/status';
import { checkBackupCodeHashes, checkSecretNotBase32, checkTokensStoredAsHashes, checkTwoFactorColumns } from '../../tools/proof/checks/storage';
import {
  checkCorrectCodeRefusedDuringLock,
  checkLockAfterFailures,
  checkRetryAfter,
  checkTempTokenExpired,
  checkWrongCodeRefused,
} from '../../tools/proof/checks/throttling';
import {
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
} from '../../tools/proof/checks/two-factor';
import { evaluateTwoFactorJourney, evaluateTestSms, evaluateScreenshots } from '../../tools/proof/items';
import { emptyEvidence } from '../../tools/proof/run-evidence';
import type { MaskManifest } from '../../tools/proof/screenshot-masks';
import { readAllFiles } from '../../tools/proof/write';

/**
 * The proof is a check that can fail: each check is fed recorded evidence that violates its
 * expectation (and is marked failed) and evidence that satisfies it (and is marked passed).
 */

const REQUEST_ID = '0f8fad5b-d9cb-469f-a165-70867728950e';
const SESSION_COOKIE = 'proofgate_session=AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefg; Max-Age=43200; Path=/; HttpOnly; SameSite=Strict';
const TEMP_TOKEN = 'T'.repeat(43);
const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const PNG_DATA_URL = `data:image/png;base64,${Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]).toString('base64')}`;
const CODES = Array.from({ length: 10 }, (_, i) => `abcd${i}-efghj-kmnp${i}`);

function exchange(status: number, json: unknown, headers: Array<[string, string]> = [], id = 'x-01'): HttpExchange {
  const problem = typeof json === 'object' && json !== null && 'error_code' in json;
  return {
    id,
    title: id,
    method: 'POST',
    url: 'http://127.0.0.1:1/api',
    jar: undefined,
    requestBody: undefined,
    statusLine: `HTTP/1.1 ${status}`,
    status,
    headers: [['X-Request-Id', REQUEST_ID], ['Content-Type', problem ? 'application/problem+json; charset=utf-8' : 'application/json; charset=utf-8'], ...headers],
    bodyText: JSON.stringify(json ?? ''),
    json,
    curlExitCode: 0,
    curlStderr: '',
    startedAt: '2026-01-01T00:00:00.000Z',
    durationMs: 5,
  };
}

const passed = (r: CheckResult) => expect(r, r.observed).toMatchObject({ passed: true });
const failed = (r: CheckResult, observed?: RegExp) => {
  expect(r.passed, r.observed).toBe(false);
  if (observed) expect(r.observed).toMatch(observed);
};

describe('B2 checks: the two-factor journey', () => {
  it('register: 201 with a user and no cookie passes; a cookie on register fails', () => {
    passed(checkRegistered(exchange(201, { user: { id: 'u1' } })));
    failed(checkRegistered(exchange(201, { user: { id: 'u1' } }, [['Set-Cookie', SESSION_COOKIE]])), /set a session cookie/);
    failed(checkRegistered(exchange(409, { error_code: 'EMAIL_ALREADY_REGISTERED' })), /expected 201/);
  });

  it('password-only login must set an HttpOnly, SameSite=Strict session cookie', () => {
    passed(checkLoginWithoutTwoFactorSetsCookie(exchange(200, { requires_2fa: false }, [['Set-Cookie', SESSION_COOKIE]])));
    failed(checkLoginWithoutTwoFactorSetsCookie(exchange(200, { requires_2fa: false })), /no session cookie/);
    failed(
      checkLoginWithoutTwoFactorSetsCookie(exchange(200, { requires_2fa: false }, [['Set-Cookie', 'proofgate_session=abc; Path=/; SameSite=Lax']])),
      /not HttpOnly.*not SameSite=Strict/,
    );
  });

  it('setup: secret, otpauth URL carrying the same secret, PNG QR; a mismatched secret or non-PNG fails', () => {
    const good = { secret: SECRET, otpauth_url: `otpauth://totp/Proofgate:a%40b.test?issuer=Proofgate&secret=${SECRET}`, qr_data_url: PNG_DATA_URL };
    passed(checkSetupReturnsSecretAndQr(exchange(200, good)));
    failed(checkSetupReturnsSecretAndQr(exchange(200, { ...good, otpauth_url: good.otpauth_url.replace(SECRET, 'A'.repeat(32)) })), /same secret/);
    failed(checkSetupReturnsSecretAndQr(exchange(200, { ...good, qr_data_url: 'data:image/svg+xml;base64,PHN2Zz4=' })), /PNG/);
    failed(checkSetupReturnsSecretAndQr(exchange(200, { ...good, secret: 'short' })), /base32/);
  });

  it('confirm: exactly 10 distinct well-formed codes', () => {
    passed(checkConfirmReturnsTenBackupCodes(exchange(200, { enabled: true, backup_codes: CODES })));
    failed(checkConfirmReturnsTenBackupCodes(exchange(200, { enabled: true, backup_codes: CODES.slice(0, 9) })), /9 backup codes/);
    failed(checkConfirmReturnsTenBackupCodes(exchange(200, { enabled: true, backup_codes: [...CODES.slice(0, 9), CODES[0]] })), /not distinct/);
  });

  it('backup codes shown once: a later answer repeating one (in any form) fails', () => {
    const later = [exchange(200, { enabled: true, backup_codes_remaining: 10 }, [], 'status')];
    passed(checkBackupCodesShownOnce(CODES, later));
    failed(checkBackupCodesShownOnce(CODES, [exchange(200, { codes: [CODES[3]!.replace(/-/g, '').toUpperCase()] }, [], 'leaky')]), /leaky shows 1/);
    failed(checkBackupCodesShownOnce([], later), /no backup codes/);
  });

  it('logout must clear the session cookie', () => {
    passed(checkLogoutClearsSession(exchange(204, undefined, [['Set-Cookie', 'proofgate_session=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT']])));
    failed(checkLogoutClearsSession(exchange(204, undefined)), /not cleared/);
  });

  it('requires_2fa login: a Set-Cookie (any cookie) on it fails', () => {
    const body = { requires_2fa: true, temp_token: TEMP_TOKEN, expires_in: 300 };
    passed(checkLoginRequires2faWithoutCookie(exchange(200, body)));
    failed(checkLoginRequires2faWithoutCookie(exchange(200, body, [['Set-Cookie', SESSION_COOKIE]])), /1 Set-Cookie header/);
    failed(checkLoginRequires2faWithoutCookie(exchange(200, body, [['Set-Cookie', 'proofgate_device=v1.x.y; HttpOnly']])), /Set-Cookie/);
    failed(checkLoginRequires2faWithoutCookie(exchange(200, { ...body, temp_token: 'short' })), /temp_token/);
    failed(checkLoginRequires2faWithoutCookie(exchange(200, { ...body, session: { aal: 1 } })), /user or session/);
  });

  it('between the steps there is no session; verify then sets an AAL2 cookie', () => {
    passed(checkNotSignedInBeforeSecondFactor(exchange(401, { error_code: 'UNAUTHENTICATED' })));
    failed(checkNotSignedInBeforeSecondFactor(exchange(200, { user: {} })));
    passed(checkVerifySetsSessionCookie(exchange(200, { session: { aal: 2 } }, [['Set-Cookie', SESSION_COOKIE]])));
    failed(checkVerifySetsSessionCookie(exchange(200, { session: { aal: 1 } }, [['Set-Cookie', SESSION_COOKIE]])), /aal is 1/);
    failed(checkVerifySetsSessionCookie(exchange(200, { session: { aal: 2 } })), /no session cookie/);
  });

  it('status and disable', () => {
    passed(checkTwoFactorStatus(exchange(200, { enabled: true, backup_codes_remaining: 10 }), { enabled: true, backupCodesRemaining: 10 }));
    failed(checkTwoFactorStatus(exchange(200, { enabled: true, backup_codes_remaining: 9 }), { enabled: true, backupCodesRemaining: 10 }), /remaining is 9/);
    failed(checkTwoFactorStatus(exchange(200, { enabled: true, secret: SECRET }), { enabled: true }), /secret/);
    passed(checkDisabled(exchange(200, { enabled: false })));
    failed(checkDisabled(exchange(400, { error_code: 'INVALID_CODE' })), /400 INVALID_CODE/);
  });
});

describe('B3 checks: throttling', () => {
  const locked = (extra: Record<string, unknown> = {}, headers: Array<[string, string]> = [['Retry-After', '900']]) =>
    exchange(429, { error_code: 'TWO_FACTOR_LOCKED', retry_after: 900, ...extra }, headers);

  it('a 429 with retry_after and the same Retry-After header passes', () => {
    passed(checkRetryAfter(locked()));
    passed(checkRetryAfter(exchange(429, { error_code: 'RATE_LIMITED', retry_after: 60 }, [['Retry-After', '60']])));
  });

  it('a 429 without retry_after fails', () => {
    const body = { error_code: 'TWO_FACTOR_LOCKED' };
    failed(checkRetryAfter(exchange(429, body, [['Retry-After', '900']])), /retry_after missing/);
  });

  it('a 429 without the Retry-After header, or with a different one, fails', () => {
    failed(checkRetryAfter(locked({}, [])), /no Retry-After header/);
    failed(checkRetryAfter(locked({}, [['Retry-After', '60']])), /differs/);
  });

  it('a 429 without a throttle error_code, or a non-429, fails', () => {
    failed(checkRetryAfter(locked({ error_code: 'INVALID_CODE' })), /error_code "INVALID_CODE"/);
    failed(checkRetryAfter(exchange(400, { error_code: 'TWO_FACTOR_LOCKED', retry_after: 900 }, [['Retry-After', '900']])), /expected 429/);
  });

  it('wrong codes must be 400 INVALID_CODE problem+json', () => {
    passed(checkWrongCodeRefused(exchange(400, { error_code: 'INVALID_CODE' })));
    failed(checkWrongCodeRefused(exchange(200, { user: {} }, [['Set-Cookie', SESSION_COOKIE]])), /status 200.*session cookie/);
  });

  it('the lock must come exactly at the threshold', () => {
    const wrong = Array.from({ length: 10 }, () => exchange(400, { error_code: 'INVALID_CODE' }));
    passed(checkLockAfterFailures(wrong, locked(), 10));
    failed(checkLockAfterFailures(wrong.slice(0, 9), locked(), 10), /9 of 9/);
    failed(checkLockAfterFailures(wrong, exchange(400, { error_code: 'INVALID_CODE' }), 10), /then 400 INVALID_CODE/);
  });

  it('the correct code during the lock: refused, for a step the user has not used', () => {
    passed(checkCorrectCodeRefusedDuringLock(locked(), { step: 101, lastUsedStep: 100, matchesSecret: true }));
    failed(checkCorrectCodeRefusedDuringLock(exchange(200, { user: {} }, [['Set-Cookie', SESSION_COOKIE]]), { step: 101, lastUsedStep: 100, matchesSecret: true }), /expected 429 TWO_FACTOR_LOCKED/);
    failed(checkCorrectCodeRefusedDuringLock(locked(), { step: 100, lastUsedStep: 100, matchesSecret: true }), /already used/);
    failed(checkCorrectCodeRefusedDuringLock(locked(), { step: 101, lastUsedStep: 100, matchesSecret: false }), /not generated/);
  });

  it('temp-token expiry: issued with the TTL, used after it, refused TEMP_TOKEN_EXPIRED', () => {
    const login = exchange(200, { requires_2fa: true, temp_token: TEMP_TOKEN, expires_in: 5 });
    const expired = exchange(401, { error_code: 'TEMP_TOKEN_EXPIRED' });
    passed(checkTempTokenExpired(login, expired, { ttlSeconds: 5, waitedMs: 6000 }));
    failed(checkTempTokenExpired(login, expired, { ttlSeconds: 5, waitedMs: 3000 }), /less than the 5 s TTL/);
    failed(checkTempTokenExpired(login, exchange(401, { error_code: 'TEMP_TOKEN_INVALID' }), { ttlSeconds: 5, waitedMs: 6000 }), /TEMP_TOKEN_EXPIRED/);
    failed(checkTempTokenExpired(exchange(200, { requires_2fa: true, expires_in: 300 }), expired, { ttlSeconds: 5, waitedMs: 6000 }), /expires_in 300/);
  });
});

describe('B1 checks: secrets at rest', () => {
  const envelope = 'v1.0123456789abcdef.AAAAAAAAAAAAAAAA.QkJCQkJCQkJCQkJCQkJC.Q0NDQ0NDQ0NDQ0NDQ0ND';
  const columns = [
    ['two_factor_credentials', ['user_id', 'secret_ciphertext', 'created_at', 'enabled_at', 'last_used_step', 'last_used_at']],
    ['two_factor_backup_codes', ['id', 'user_id', 'selector', 'code_hash', 'created_at', 'used_at']],
    ['two_factor_challenges', ['id', 'user_id', 'token_hash', 'created_at', 'expires_at', 'consumed_at', 'failed_attempts']],
  ].flatMap(([table, names]) => (names as string[]).map((column_name) => ({ table_name: table, column_name })));

  it('columns: ciphertext/hash columns pass; a clear secret column or a missing table fails', () => {
    passed(checkTwoFactorColumns(columns));
    failed(checkTwoFactorColumns([...columns, { table_name: 'two_factor_credentials', column_name: 'secret' }]), /clear-text column: secret/);
    failed(checkTwoFactorColumns(columns.filter((c) => c.table_name !== 'two_factor_challenges')), /two_factor_challenges not found/);
  });

  it('an envelope passes; a column holding the base32 secret (any case, or its bytes) fails', () => {
    passed(checkSecretNotBase32({ secret_ciphertext: envelope }, SECRET));
    failed(checkSecretNotBase32({ secret_ciphertext: SECRET }, SECRET), /contains the base32 secret/);
    failed(checkSecretNotBase32({ secret_ciphertext: `v1.0123456789abcdef.${SECRET.toLowerCase()}.x.y` }, SECRET), /contains the base32 secret/);
    const hex = Buffer.from('Hello!\u00de\u00ad\u00be\u00ef', 'latin1').toString('hex');
    failed(checkSecretNotBase32({ secret_ciphertext: `v1.0123456789abcdef.${hex}.x.y` }, 'JBSWY3DPEHPK3PXP'), /bytes in hex/);
    failed(checkSecretNotBase32(undefined, SECRET), /no secret_ciphertext row/);
  });

  it('backup codes: argon2id at OWASP parameters passes; a weak, non-argon2id or code-carrying hash fails', () => {
    const hash = (i: number, params = 'm=19456,t=2,p=1') => ({ code_hash: `$argon2id$v=19$${params}$c2FsdHNhbHRzYWx0${i}$aGFzaGhhc2hoYXNoaGFzaA` });
    const rows = Array.from({ length: 10 }, (_, i) => hash(i));
    passed(checkBackupCodeHashes(rows, CODES));
    failed(checkBackupCodeHashes([...rows.slice(1), hash(0, 'm=4096,t=1,p=1')], CODES), /weaker/);
    failed(checkBackupCodeHashes([...rows.slice(1), { code_hash: CODES[0] }], CODES), /not an argon2id.*equals or contains/);
    failed(checkBackupCodeHashes([...rows.slice(1), { code_hash: `$2b$10$${CODES[0]}` }], CODES), /not an argon2id/);
    failed(checkBackupCodeHashes(rows.slice(0, 9), CODES), /9 stored/);
  });

  it('tokens: SHA-256 digests pass; a row holding a token fails', () => {
    const digest = 'a'.repeat(64);
    passed(checkTokensStoredAsHashes([{ token_hash: digest }], [TEMP_TOKEN], 'temp token'));
    failed(checkTokensStoredAsHashes([{ token_hash: TEMP_TOKEN }], [TEMP_TOKEN], 'temp token'), /not a SHA-256.*contains a temp token/);
    failed(checkTokensStoredAsHashes([], [TEMP_TOKEN], 'session'), /no session rows/);
  });
});

describe('B4 checks: test SMS and usage trail', () => {
  const traceId = 'e3946928deeb10273fdeb28412e5832f';
  const sid = `SM${'0'.repeat(32)}`;
  const row = { trace_id: traceId, integration: 'twilio', status: 'success', provider_reference: sid, masked_destination: '+1*******0100' };

  it('the send answer must carry a trace_id and a message SID', () => {
    passed(checkSmsAccepted(exchange(200, { ok: true, trace_id: traceId, provider_message_id: sid, status: 'queued' })));
    failed(checkSmsAccepted(exchange(200, { ok: true, provider_message_id: sid })), /no trace_id/);
    failed(checkSmsAccepted(exchange(503, { error_code: 'SMS_NOT_CONFIGURED', trace_id: traceId })), /503 SMS_NOT_CONFIGURED/);
  });

  it('the usage event selected by trace_id: present once and matching; a row without trace_id fails', () => {
    passed(checkUsageEventHasTraceId([row], traceId, sid));
    failed(checkUsageEventHasTraceId([{ ...row, trace_id: null }], traceId, sid), /trace_id null differs/);
    failed(checkUsageEventHasTraceId([], traceId, sid), /0 rows/);
    failed(checkUsageEventHasTraceId([row, row], traceId, sid), /2 rows/);
    failed(checkUsageEventHasTraceId([{ ...row, status: 'failed' }], traceId, sid), /expected success/);
    failed(checkUsageEventHasTraceId([row], '', sid), /no trace_id to look up/);
  });

  it('the destination must be stored masked; the provider must have received the message', () => {
    passed(checkDestinationMasked(row, '+15555550100'));
    failed(checkDestinationMasked({ ...row, masked_destination: '+15555550100' }, '+15555550100'));
    const post = { method: 'POST', path: '/2010-04-01/Accounts/AC1/Messages.json', params: { To: '+15555550100' }, status: 201 as const };
    passed(checkProviderReceived([post], '+15555550100'));
    failed(checkProviderReceived([], '+15555550100'), /0 message POST/);
    failed(checkProviderReceived([{ ...post, status: 400 }], '+15555550100'), /0 accepted/);
  });

  it('a premium-rate destination: 422 SMS_DESTINATION_NOT_ALLOWED with a trace_id, one failed row, nothing sent to the provider', () => {
    const refused = { error_code: 'SMS_DESTINATION_NOT_ALLOWED', reason: 'premium_rate', trace_id: traceId };
    passed(checkDestinationRefused(exchange(422, refused)));
    failed(checkDestinationRefused(exchange(200, { ok: true, trace_id: traceId, provider_message_id: sid })), /expected 422/);
    failed(checkDestinationRefused(exchange(422, { ...refused, trace_id: undefined })), /no trace_id/);
    const refusedRow = { trace_id: traceId, status: 'failed', provider_error_code: 'SMS_DESTINATION_NOT_ALLOWED', provider_reference: null };
    passed(checkRefusalRecorded([refusedRow], traceId));
    failed(checkRefusalRecorded([], traceId), /0 rows/);
    failed(checkRefusalRecorded([{ ...refusedRow, provider_reference: sid }], traceId), /provider was called/);
    failed(checkRefusalRecorded([{ ...refusedRow, status: 'success' }], traceId), /expected failed/);
    passed(checkProviderUntouched([]));
    failed(checkProviderUntouched([{ method: 'POST', path: '/2010-04-01/Accounts/AC1/Messages.json' }]), /1 request/);
  });
});

describe('B5 checks: integrations and system status', () => {
  const integrations = (twilio: Record<string, unknown>) => exchange(200, { integrations: [{ name: 'twilio', ...twilio }] }, [], 'integrations');

  it('a count that moved by one passes; a count that did not move fails', () => {
    const before = integrations({ configured: true, connected: true, last_used_at: null, proof_of_use_count_24h: 0 });
    const after = integrations({ configured: true, connected: true, last_used_at: '2026-01-01T00:00:01.000Z', proof_of_use_count_24h: 1 });
    passed(checkCountIncremented(before, after));
    failed(checkCountIncremented(before, before), /went 0 → 0/);
    failed(checkCountIncremented(before, integrations({ proof_of_use_count_24h: 2 })), /went 0 → 2/);
    passed(checkLastUsedChanged(before, after));
    failed(checkLastUsedChanged(after, after), /→/);
    failed(checkLastUsedChanged(before, before));
  });

  it('configured / connected', () => {
    passed(checkIntegrationNotConfigured(integrations({ configured: false, connected: false })));
    failed(checkIntegrationNotConfigured(integrations({ configured: true, connected: true })));
    passed(checkIntegrationConnected(integrations({ configured: true, connected: true })));
    failed(checkIntegrationConnected(integrations({ configured: true, connected: false })), /connected:false/);
    failed(checkIntegrationConnected(exchange(200, { integrations: [] })), /no twilio entry/);
  });

  it('blockers present without keys, gone with keys', () => {
    const codes = ['TWILIO_NOT_CONFIGURED', 'APP_ENC_KEY_GENERATED'];
    const degraded = exchange(200, { status: 'degraded', blockers: codes.map((code) => ({ code })) });
    const ok = exchange(200, { status: 'ok', blockers: [] });
    passed(checkBlockersPresent(degraded, codes));
    failed(checkBlockersPresent(exchange(200, { status: 'degraded', blockers: [{ code: 'TWILIO_NOT_CONFIGURED' }] }), codes), /missing blocker\(s\): APP_ENC_KEY_GENERATED/);
    failed(checkBlockersPresent(ok, codes));
    passed(checkBlockersRemoved(ok, codes));
    failed(checkBlockersRemoved(degraded, codes), /still listed/);
    failed(checkBlockersRemoved(exchange(200, { status: 'blocked', blockers: [{ code: 'MIGRATIONS_PENDING' }] }), codes), /expected ok with none/);
  });
});

describe('every exchange, the guard and the screenshots', () => {
  it('a response without X-Request-Id, or a failed curl, fails', () => {
    passed(checkEveryResponseHasRequestId([exchange(200, {})]));
    const noId = { ...exchange(200, {}), headers: [] as HttpExchange['headers'] };
    failed(checkEveryResponseHasRequestId([noId]), /X-Request-Id missing/);
    failed(checkEveryResponseHasRequestId([{ ...exchange(200, {}), curlExitCode: 7 }]), /curl exited 7/);
    failed(checkEveryResponseHasRequestId([]), /no exchanges/);
  });

  it('the guard must exit 0 and pass both workflow-scope checks', () => {
    const output = 'PASS no-supabase-edge-functions\nPASS no-workflow-files\nguard: all 4 checks passed';
    const run = (exitCode: number | null, text = output): CommandRun => ({ command: 'npm run guard', exitCode, output: text, durationMs: 1 });
    passed(checkGuardPassed(run(0)));
    failed(checkGuardPassed(run(1, output.replace('PASS no-workflow-files', 'FAIL no-workflow-files'))), /exited 1.*PASS no-workflow-files.*printed FAIL/);
    failed(checkGuardPassed(undefined), /did not run/);
  });

  it('screenshots must be fresh PNGs at both sizes; the browser tests must pass', () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const file = (name: string, mtimeMs = 2_000, head = png): ScreenshotFile => ({ name, sizeBytes: 100, mtimeMs, head });
    const all = ['setup-qr.desktop.png', 'setup-qr.mobile.png'].map((n) => file(n));
    passed(checkScreenshotsFresh(all, ['setup-qr'], 1_000));
    failed(checkScreenshotsFresh([all[0]!], ['setup-qr'], 1_000), /setup-qr.mobile.png missing/);
    failed(checkScreenshotsFresh([all[0]!, file('setup-qr.mobile.png', 500)], ['setup-qr'], 1_000), /older than this run/);
    failed(checkScreenshotsFresh([all[0]!, file('setup-qr.mobile.png', 2_000, new Uint8Array(8))], ['setup-qr'], 1_000), /not a PNG/);
    passed(checkBrowserTestsPassed({ command: 'npx vitest', exitCode: 0, output: 'Tests  21 passed (21)', durationMs: 1 }));
    failed(checkBrowserTestsPassed({ command: 'npx vitest', exitCode: 1, output: 'Tests  1 failed | 20 passed (21)', durationMs: 1 }), /exit 1; 1 failed/);
    // The report names what failed and why, from vitest's failure summary (colours stripped).
    const output = [
      ' \u001b[41m\u001b[1m FAIL \u001b[22m\u001b[49m \u001b[30m\u001b[42m browser \u001b[49m\u001b[39m test/browser/a.test.ts\u001b[2m > \u001b[22msuite > shows the lockout',
      '\u001b[31m\u001b[1mTimeoutError\u001b[22m: locator.waitFor: Timeout 30000ms exceeded.',
      'Call log:',
      '',
      ' FAIL  |browser| test/browser/b.test.ts > logs no console errors',
      '',
      'AssertionError: expected [ Array(1) ] to deeply equal []',
      '      Tests  2 failed | 20 passed (22)',
    ].join('\n');
    expect(failedTests(output)).toEqual([
      'test/browser/a.test.ts > suite > shows the lockout: TimeoutError: locator.waitFor: Timeout 30000ms exceeded.',
      'test/browser/b.test.ts > logs no console errors: AssertionError: expected [ Array(1) ] to deeply equal []',
    ]);
    failed(checkBrowserTestsPassed({ command: 'npx vitest', exitCode: 1, output, durationMs: 1 }), /exit 1; 2 failed \| 20 passed \(22\); test\/browser\/a\.test\.ts > suite > shows the lockout: TimeoutError/);
  });
});

describe('redaction: the final scan over written bytes', () => {
  const secrets: RecordedSecret[] = [
    { kind: 'cookie', label: 'session cookie', value: 'AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefg' },
    { kind: 'totp_secret', label: 'TOTP secret', value: SECRET },
    { kind: 'backup_code', label: 'backup code 1', value: CODES[0]! },
    { kind: 'totp_code', label: 'TOTP code', value: '492039' },
    { kind: 'password', label: 'password', value: 'proof-S3cr3t-Passw0rd-xyz' },
  ];
  const file = (path: string, text: string) => ({ path, bytes: Buffer.from(text, 'utf8') });

  it('clean files pass', () => {
    passed(checkNoSecretInFiles([file('report.md', 'session [redacted], secret [redacted], code [redacted]')], secrets));
  });

  it('a leak in a written file fails and names the file and the secret (never its value)', () => {
    const result = checkNoSecretInFiles([file('report.md', 'ok'), file('transcripts/b2.txt', `{"password":"proof-S3cr3t-Passw0rd-xyz"}`)], secrets);
    failed(result, /password found in transcripts\/b2\.txt/);
    expect(result.observed).not.toContain('proof-S3cr3t-Passw0rd-xyz');
  });

  it('finds the base32 secret in any case, and a backup code without its dashes or upper-cased', () => {
    expect(findSecretLeaks([file('a.txt', SECRET.toLowerCase())], secrets)).toEqual([{ path: 'a.txt', label: 'TOTP secret' }]);
    expect(findSecretLeaks([file('b.html', CODES[0]!.replace(/-/g, '').toUpperCase())], secrets)).toEqual([{ path: 'b.html', label: 'backup code 1' }]);
  });

  it('finds a URL-encoded secret, and a secret inside a binary file', () => {
    const slashy: RecordedSecret = { kind: 'encryption_key', label: 'key', value: 'ab+cd/ef==ghijklmnop' };
    expect(findSecretLeaks([file('a.json', encodeURIComponent(slashy.value))], [slashy])).toHaveLength(1);
    const binary = { path: 'shot.png', bytes: Buffer.concat([Buffer.from([0x89, 0x50, 0, 255]), Buffer.from(secrets[0]!.value), Buffer.from([0, 1])]) };
    expect(findSecretLeaks([binary], secrets)).toEqual([{ path: 'shot.png', label: 'session cookie' }]);
  });

  it('a six-digit code counts as a token of its own in text files, not inside a digest', () => {
    expect(findSecretLeaks([file('a.txt', '{"code":"492039"}')], secrets)).toHaveLength(1);
    expect(findSecretLeaks([file('a.txt', 'token_hash 9f3a492039bc and step 14920391')], secrets)).toHaveLength(0);
  });

  it('an empty scan proves nothing and fails', () => {
    failed(checkNoSecretInFiles([], secrets), /no files/);
    failed(checkNoSecretInFiles([file('a', 'b')], []), /no secrets/);
  });

  it('the server log is checked before any masking', () => {
    passed(checkServerLogClean(['{"msg":"request completed"}'], secrets));
    failed(checkServerLogClean([`{"msg":"login","password":"${secrets[4]!.value}"}`], secrets), /password in the server log/);
  });
});

describe('redaction: the pictures the proof writes', () => {
  const secrets: RecordedSecret[] = [
    { kind: 'totp_secret', label: 'TOTP secret', value: SECRET },
    { kind: 'backup_code', label: 'backup code 1', value: CODES[0]! },
  ];
  const OTPAUTH = `otpauth://totp/Proofgate:ada%40example.test?secret=${SECRET}&issuer=Proofgate&algorithm=SHA1&digits=6&period=30`;
  const WHITE = [255, 255, 255] as const;
  const BLACK = [0, 0, 0] as const;

  /** A screenshot-sized picture of one colour. */
  function canvas(width: number, height: number, rgb: readonly number[] = WHITE): PNG {
    const png = new PNG({ width, height });
    for (let i = 0; i < png.data.length; i += 4) png.data.set([rgb[0]!, rgb[1]!, rgb[2]!, 255], i);
    return png;
  }
  function fillBox(png: PNG, box: { x: number; y: number; width: number; height: number }, rgb: readonly number[]) {
    for (let y = box.y; y < box.y + box.height; y += 1) {
      for (let x = box.x; x < box.x + box.width; x += 1) png.data.set([rgb[0]!, rgb[1]!, rgb[2]!, 255], (y * png.width + x) * 4);
    }
  }
  /** A page-sized screenshot with the QR code drawn where the setup page shows it. */
  async function screenshotWithQr(text: string): Promise<Buffer> {
    const qr = PNG.sync.read(await QRCode.toBuffer(text));
    const page = canvas(800, 900, [245, 245, 245]);
    PNG.bitblt(qr, page, 0, 0, qr.width, qr.height, 320, 480);
    return PNG.sync.write(page);
  }

  let dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
    dirs = [];
  });
  /** A scratch report folder, written the way the proof writes one, then read back as the scan reads it. */
  function reportFolder(files: Record<string, Buffer | string>) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'proof-images-test-'));
    dirs.push(dir);
    for (const [name, contents] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      fs.writeFileSync(path.join(dir, name), contents);
    }
    return readAllFiles(dir);
  }
  const manifest = (screenshot: string, boxes: MaskManifest['boxes']): string => JSON.stringify({ screenshot, devicePixelRatio: 1, boxes });

  it('a planted PNG that holds the otpauth QR code fails the scan, though its bytes hold no secret', async () => {
    const files = reportFolder({ 'report.md': '# report\n', 'screenshots/setup-qr.desktop.png': await screenshotWithQr(OTPAUTH) });
    // The byte search alone is blind to it: this is the leak the picture scan exists for.
    passed(checkNoSecretInFiles(files, secrets));
    const result = checkNoSecretInImages(files, secrets);
    failed(result, /screenshots\/setup-qr\.desktop\.png holds a QR code that gives away an otpauth:\/\/ URL/);
    expect(result.observed).toMatch(/TOTP secret/);
    expect(result.observed).not.toContain(SECRET);
  });

  it('any otpauth URL fails, even with a secret the proof never recorded; a recorded secret in a QR code fails without one', async () => {
    failed(checkNoSecretInImages(reportFolder({ 'a.png': await screenshotWithQr('otpauth://totp/x?secret=MFRGGZDFMZTWQ2LK') }), secrets), /otpauth/);
    failed(checkNoSecretInImages(reportFolder({ 'b.png': await screenshotWithQr(`codes: ${CODES[0]!.toUpperCase()}`) }), secrets), /backup code 1/);
  });

  it('finds the QR code inside a data: URI of report.html, or of a transcript with an unmasked qr_data_url', async () => {
    const uri = `data:image/png;base64,${(await screenshotWithQr(OTPAUTH)).toString('base64')}`;
    failed(checkNoSecretInImages(reportFolder({ 'report.html': `<img src="${uri}">` }), secrets), /report\.html \(embedded image 1\) holds a QR code/);
    // The text scan cannot see it: base64 of a PNG does not spell the secret.
    const transcript = reportFolder({ 'transcripts/b2.txt': `{"qr_data_url": "${uri}"}` });
    passed(checkNoSecretInFiles(transcript, secrets));
    failed(checkNoSecretInImages(transcript, secrets), /transcripts\/b2\.txt \(embedded image 1\) holds a QR code that gives away an otpauth/);
    // What the proof writes instead, masked by name, is no picture at all.
    passed(checkNoSecretInImages(reportFolder({ 'transcripts/b2.txt': '{"qr_data_url": "data:image/png;base64,[redacted]"}' }), secrets));
  });

  it('clean pictures pass, and say how many were read', () => {
    const clean = PNG.sync.write(canvas(390, 900, [250, 250, 250]));
    const result = checkNoSecretInImages(reportFolder({ 'screenshots/sign-in.mobile.png': clean, 'report.html': `<img src="data:image/png;base64,${clean.toString('base64')}">` }), secrets);
    passed(result);
    expect(result.observed).toMatch(/2 PNG images decoded \(1 files, 1 embedded as data: URIs\): no QR code in any/);
  });

  it('a PNG that cannot be decoded fails: it cannot be shown clean', () => {
    const broken = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('not really a png')]);
    failed(checkNoSecretInImages(reportFolder({ 'screenshots/x.desktop.png': broken }), secrets), /could not be decoded/);
  });

  describe('the screenshots\' masks, checked on the pixels', () => {
    const qrBox = { kind: 'totp-qr', x: 300, y: 460, width: 200, height: 200 };
    const keyBox = { kind: 'totp-key', x: 560, y: 470, width: 330.5, height: 40.25 };
    function maskedSetupShot(override?: (png: PNG) => void): Buffer {
      const png = canvas(960, 760, [245, 245, 245]);
      fillBox(png, qrBox, BLACK);
      fillBox(png, { ...keyBox, width: 331, height: 41 }, BLACK);
      override?.(png);
      return PNG.sync.write(png);
    }

    it('solid masks where the manifest says, on every screen that shows a secret, pass', () => {
      const result = checkScreenshotsMasked(
        reportFolder({
          'screenshots/setup-qr.desktop.png': maskedSetupShot(),
          'screenshots/setup-qr.desktop.masks.json': manifest('setup-qr.desktop.png', [qrBox, keyBox]),
          'screenshots/sign-in.desktop.png': PNG.sync.write(canvas(1280, 800)),
          'screenshots/sign-in.desktop.masks.json': manifest('sign-in.desktop.png', []),
        }),
      );
      passed(result);
      expect(result.observed).toMatch(/2 screenshots with masks manifests; 1 of them show secrets; 2 masked boxes/);
    });

    it('a mask that is not solid fails (a blur, a see-through block, a box in the wrong place)', () => {
      const leaky = maskedSetupShot((png) => fillBox(png, { x: 400, y: 560, width: 1, height: 1 }, [20, 20, 20]));
      failed(
        checkScreenshotsMasked(
          reportFolder({ 'screenshots/setup-qr.desktop.png': leaky, 'screenshots/setup-qr.desktop.masks.json': manifest('setup-qr.desktop.png', [qrBox, keyBox]) }),
        ),
        /the totp-qr mask at 300,460 \(200×200\) is not solid: 1 of \d+ pixels/,
      );
      // The manifest claims masks the picture does not have.
      const unmasked = PNG.sync.write(canvas(960, 760, [245, 245, 245]));
      failed(
        checkScreenshotsMasked(
          reportFolder({ 'screenshots/setup-qr.mobile.png': unmasked, 'screenshots/setup-qr.mobile.masks.json': manifest('setup-qr.mobile.png', [qrBox, keyBox]) }),
        ),
        /not solid/,
      );
    });

    it('a screen that shows a secret without a mask for it fails, and so does a screenshot without a manifest', () => {
      failed(
        checkScreenshotsMasked(
          reportFolder({ 'screenshots/setup-qr.desktop.png': maskedSetupShot(), 'screenshots/setup-qr.desktop.masks.json': manifest('setup-qr.desktop.png', [qrBox]) }),
        ),
        /setup-qr\.desktop\.png shows a secret \(totp-key\) but no mask for it is recorded/,
      );
      failed(
        checkScreenshotsMasked(reportFolder({ 'screenshots/backup-codes-once.mobile.png': PNG.sync.write(canvas(390, 900)) })),
        /backup-codes-once\.mobile\.png has no masks manifest: it was not taken by the masking screenshot helper/,
      );
      failed(
        checkScreenshotsMasked(
          reportFolder({ 'screenshots/backup-codes-once.mobile.png': PNG.sync.write(canvas(390, 900)), 'screenshots/backup-codes-once.mobile.masks.json': manifest('backup-codes-once.mobile.png', []) }),
        ),
        /shows a secret \(backup-codes\) but no mask/,
      );
      failed(
        checkScreenshotsMasked(reportFolder({ 'screenshots/sign-in.desktop.png': PNG.sync.write(canvas(64, 64)), 'screenshots/sign-in.desktop.masks.json': '{"boxes":' })),
        /not JSON/,
      );
    });

    it('a box outside the picture fails rather than passing unchecked', () => {
      failed(
        checkScreenshotsMasked(
          reportFolder({
            'screenshots/setup-qr.mobile.png': PNG.sync.write(canvas(390, 300, BLACK)),
            'screenshots/setup-qr.mobile.masks.json': manifest('setup-qr.mobile.png', [qrBox, keyBox]),
          }),
        ),
        /lies outside the 390×300 picture/,
      );
    });
  });
});

describe('items: missing evidence fails, skipped browser is NOT RUN', () => {
  it('B2 with no recorded exchanges is FAIL, never PASS', () => {
    const item = evaluateTwoFactorJourney(emptyEvidence(0, 5, 10), []);
    expect(item.status).toBe('FAIL');
    expect(item.checks.every((c) => !c.passed)).toBe(true);
  });

  it('real Twilio keys without PROOF_SMS_TO fail B4 instead of faking it', () => {
    const evidence = emptyEvidence(0, 5, 10);
    evidence.testSms.mode = 'no-destination';
    const item = evaluateTestSms(evidence);
    expect(item.status).toBe('FAIL');
    expect(item.checks[0]!.observed).toMatch(/PROOF_SMS_TO is not set/);
  });

  it('--no-browser marks the screenshots NOT RUN with no passed check', () => {
    const evidence = emptyEvidence(0, 5, 10);
    evidence.browser.skipped = true;
    const item = evaluateScreenshots(evidence);
    expect(item.status).toBe('NOT RUN');
    expect(item.checks).toEqual([]);
  });

  it('a browser run that did not happen is FAIL', () => {
    expect(evaluateScreenshots(emptyEvidence(0, 5, 10)).status).toBe('FAIL');
  });
});

describe('ADMIN and RACE checks', () => {
  const registered = (isAdmin: boolean) => exchange(201, { user: { role: isAdmin ? 'admin' : 'user', is_admin: isAdmin } });
  const forbidden = exchange(403, { error_code: 'FORBIDDEN' });

  it('a self-registered account passes only as role=user refused with FORBIDDEN', () => {
    expect(checkSelfRegisteredIsNotAdmin(registered(false), forbidden).passed).toBe(true);
    expect(checkSelfRegisteredIsNotAdmin(registered(true), forbidden).passed).toBe(false);
    expect(checkSelfRegisteredIsNotAdmin(registered(false), exchange(200, { status: 'ok' })).passed).toBe(false);
  });

  it('the CLI grant needs the stored role, its audited event and an open status', () => {
    const ok = exchange(200, { status: 'ok' });
    expect(checkGrantedByCli([{ role: 'admin', event: 'admin.role_granted', via: 'cli' }], 'granted admin to x', ok).passed).toBe(true);
    expect(checkGrantedByCli([{ role: 'admin', event: null, via: null }], 'granted', ok).passed).toBe(false);
    expect(checkGrantedByCli([{ role: 'user', event: 'admin.role_granted', via: 'cli' }], 'granted', ok).passed).toBe(false);
  });

  it('one session still alive after the change, or an error answer, fails the race', () => {
    const won = { exchange: exchange(200, { requires_2fa: false }, [], 'race-03-login-01') };
    const refused = { exchange: exchange(401, { error_code: 'INVALID_CREDENTIALS' }, [], 'race-03-login-02') };
    const throttled = { exchange: exchange(429, { error_code: 'RATE_LIMITED' }, [], 'race-03-login-03') };
    const change = exchange(200, { sessions_revoked: 1 });
    const dead = exchange(401, { error_code: 'UNAUTHENTICATED' }, [], 'race-05-01-me');
    const alive = exchange(200, { user: {} }, [], 'race-05-01-me');
    const all = (checks: CheckResult[]) => checks.every((c) => c.passed);
    expect(all(checkNoOldPasswordSessionSurvives([won, refused, throttled], [dead], change, 1))).toBe(true);
    expect(all(checkNoOldPasswordSessionSurvives([won, refused], [alive], change, 1))).toBe(false);
    expect(all(checkNoOldPasswordSessionSurvives([won, refused], [], change, 1))).toBe(false);
    expect(all(checkNoOldPasswordSessionSurvives([won, { exchange: exchange(500, {}) }], [dead], change, 1))).toBe(false);
    expect(all(checkNoOldPasswordSessionSurvives([won], [dead], change, 2))).toBe(false);
  });
});
