import type { CheckResult, HttpExchange } from '../evidence';
import { check, checkAll } from './result';
import { describeStatus, headerValues, isClearing, jsonObject, sessionCookieSet, setCookies, SESSION_COOKIE_NAMES } from './http';

/** B2: the two-factor journey, one check per promise the API makes. */

const BASE32_SECRET = /^[A-Z2-7]{32}$/;
const BACKUP_CODE_DISPLAY = /^[0-9a-hjkmnp-tv-z]{5}-[0-9a-hjkmnp-tv-z]{5}-[0-9a-hjkmnp-tv-z]{5}$/;
const TEMP_TOKEN = /^[A-Za-z0-9_-]{43}$/;
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function cookieAttributesFailures(exchange: HttpExchange): string[] {
  const cookie = sessionCookieSet(exchange);
  if (!cookie) return [`no session cookie (${SESSION_COOKIE_NAMES[0]}) set`];
  const failures: string[] = [];
  const attributes = cookie.attributes.map((a) => a.toLowerCase());
  if (!attributes.includes('httponly')) failures.push('session cookie is not HttpOnly');
  if (!attributes.includes('samesite=strict')) failures.push('session cookie is not SameSite=Strict');
  return failures;
}

export function checkRegistered(exchange: HttpExchange): CheckResult {
  const user = jsonObject(exchange).user as Record<string, unknown> | undefined;
  const failures: string[] = [];
  if (exchange.status !== 201) failures.push(`status ${describeStatus(exchange)}, expected 201`);
  if (!user || typeof user.id !== 'string') failures.push('no user.id in the answer');
  if (sessionCookieSet(exchange)) failures.push('registering set a session cookie (it must not sign in)');
  return checkAll('register answers 201 with the new user and sets no session cookie', failures, '201, user created, no session cookie');
}

export function checkLoginWithoutTwoFactorSetsCookie(exchange: HttpExchange): CheckResult {
  const body = jsonObject(exchange);
  const failures: string[] = [];
  if (exchange.status !== 200) failures.push(`status ${describeStatus(exchange)}, expected 200`);
  if (body.requires_2fa !== false) failures.push(`requires_2fa is ${JSON.stringify(body.requires_2fa)}, expected false`);
  failures.push(...cookieAttributesFailures(exchange));
  return checkAll(
    'login with 2FA off answers requires_2fa:false and sets an HttpOnly, SameSite=Strict session cookie',
    failures,
    '200, requires_2fa:false, Set-Cookie proofgate_session (HttpOnly; SameSite=Strict)',
  );
}

function decodeDataUrlPng(dataUrl: string): Buffer | undefined {
  const match = /^data:image\/png;base64,([A-Za-z0-9+/]+=*)$/.exec(dataUrl);
  return match ? Buffer.from(match[1]!, 'base64') : undefined;
}

export function checkSetupReturnsSecretAndQr(exchange: HttpExchange): CheckResult {
  const body = jsonObject(exchange);
  const failures: string[] = [];
  if (exchange.status !== 200) failures.push(`status ${describeStatus(exchange)}, expected 200`);
  const secret = typeof body.secret === 'string' ? body.secret : '';
  if (!BASE32_SECRET.test(secret)) failures.push('secret is not a 32-character base32 string (160 bits)');
  const otpauth = typeof body.otpauth_url === 'string' ? body.otpauth_url : '';
  let url: URL | undefined;
  try {
    url = new URL(otpauth);
  } catch {
    failures.push('otpauth_url is not a URL');
  }
  if (url) {
    if (url.protocol !== 'otpauth:' || url.host !== 'totp') failures.push('otpauth_url is not otpauth://totp/…');
    if (url.searchParams.get('secret') !== secret) failures.push('otpauth_url does not carry the same secret');
    if (!url.searchParams.get('issuer')) failures.push('otpauth_url has no issuer');
  }
  const png = typeof body.qr_data_url === 'string' ? decodeDataUrlPng(body.qr_data_url) : undefined;
  if (!png || !PNG_SIGNATURE.every((byte, i) => png[i] === byte)) failures.push('qr_data_url is not a base64 PNG data URL');
  return checkAll(
    'setup returns a base32 secret, an otpauth://totp URL carrying it, and the QR code as a PNG data URL',
    failures,
    `200, otpauth://totp/… with secret and issuer, QR PNG of ${png?.length ?? 0} bytes`,
  );
}

export function backupCodesOf(exchange: HttpExchange): string[] {
  const codes = jsonObject(exchange).backup_codes;
  return Array.isArray(codes) ? codes.filter((c): c is string => typeof c === 'string') : [];
}

export function checkConfirmReturnsTenBackupCodes(exchange: HttpExchange): CheckResult {
  const body = jsonObject(exchange);
  const codes = backupCodesOf(exchange);
  const failures: string[] = [];
  if (exchange.status !== 200) failures.push(`status ${describeStatus(exchange)}, expected 200`);
  if (body.enabled !== true) failures.push(`enabled is ${JSON.stringify(body.enabled)}, expected true`);
  if (codes.length !== 10) failures.push(`${codes.length} backup codes, expected 10`);
  if (new Set(codes).size !== codes.length) failures.push('backup codes are not distinct');
  const malformed = codes.filter((c) => !BACKUP_CODE_DISPLAY.test(c)).length;
  if (malformed > 0) failures.push(`${malformed} backup code(s) not in the xxxxx-xxxxx-xxxxx form`);
  return checkAll('confirm with a TOTP code enables 2FA and returns 10 distinct backup codes', failures, '200, enabled:true, 10 distinct codes');
}

/** "Shown once": no later answer of the run carries any of the codes. */
export function checkBackupCodesShownOnce(codes: readonly string[], later: readonly HttpExchange[]): CheckResult {
  const failures: string[] = [];
  if (codes.length === 0) failures.push('no backup codes were recorded');
  for (const exchange of later) {
    const text = exchange.bodyText.toLowerCase() + exchange.headers.map(([, v]) => v.toLowerCase()).join('\n');
    const shown = codes.filter((code) => text.includes(code.toLowerCase()) || text.includes(code.replace(/-/g, '').toLowerCase()));
    if (shown.length > 0) failures.push(`${exchange.id} shows ${shown.length} backup code(s) again`);
  }
  return checkAll('the backup codes appear in the confirm answer only, in no later answer', failures, `${later.length} later answers checked, none shows a code`);
}

export function checkLogoutClearsSession(exchange: HttpExchange): CheckResult {
  const cleared = setCookies(exchange).some((c) => SESSION_COOKIE_NAMES.includes(c.name) && isClearing(c));
  const failures: string[] = [];
  if (exchange.status !== 204) failures.push(`status ${describeStatus(exchange)}, expected 204`);
  if (!cleared) failures.push('the session cookie is not cleared');
  return checkAll('logout answers 204 and clears the session cookie', failures, '204, session cookie cleared');
}

export function checkLoginRequires2faWithoutCookie(exchange: HttpExchange): CheckResult {
  const body = jsonObject(exchange);
  const failures: string[] = [];
  if (exchange.status !== 200) failures.push(`status ${describeStatus(exchange)}, expected 200`);
  if (body.requires_2fa !== true) failures.push(`requires_2fa is ${JSON.stringify(body.requires_2fa)}, expected true`);
  if (typeof body.temp_token !== 'string' || !TEMP_TOKEN.test(body.temp_token)) failures.push('no 256-bit temp_token (43 base64url characters)');
  const cookies = headerValues(exchange, 'set-cookie');
  if (cookies.length > 0) failures.push(`${cookies.length} Set-Cookie header(s) present; none is allowed before the second factor`);
  if ('user' in body || 'session' in body) failures.push('the answer carries a user or session before the second factor');
  return checkAll(
    'login with 2FA on answers requires_2fa:true with a temp_token and NO Set-Cookie at all',
    failures,
    '200, requires_2fa:true, temp_token present, no Set-Cookie header',
  );
}

/** A temp token is not a session: the jar after the password step still gets 401 from /api/auth/me. */
export function checkNotSignedInBeforeSecondFactor(exchange: HttpExchange): CheckResult {
  return check('before the second factor, GET /api/auth/me answers 401 (no session exists yet)', exchange.status === 401, describeStatus(exchange));
}

export function checkVerifySetsSessionCookie(exchange: HttpExchange): CheckResult {
  const session = jsonObject(exchange).session as Record<string, unknown> | undefined;
  const failures: string[] = [];
  if (exchange.status !== 200) failures.push(`status ${describeStatus(exchange)}, expected 200`);
  failures.push(...cookieAttributesFailures(exchange));
  if (session?.aal !== 2) failures.push(`session.aal is ${JSON.stringify(session?.aal)}, expected 2`);
  return checkAll(
    'verify with temp_token + TOTP code sets the session cookie (AAL2)',
    failures,
    '200, Set-Cookie proofgate_session (HttpOnly; SameSite=Strict), session.aal 2',
  );
}

export function checkTwoFactorStatus(exchange: HttpExchange, expected: { enabled: boolean; backupCodesRemaining?: number }): CheckResult {
  const body = jsonObject(exchange);
  const failures: string[] = [];
  if (exchange.status !== 200) failures.push(`status ${describeStatus(exchange)}, expected 200`);
  if (body.enabled !== expected.enabled) failures.push(`enabled is ${JSON.stringify(body.enabled)}, expected ${expected.enabled}`);
  if (expected.backupCodesRemaining !== undefined && body.backup_codes_remaining !== expected.backupCodesRemaining) {
    failures.push(`backup_codes_remaining is ${JSON.stringify(body.backup_codes_remaining)}, expected ${expected.backupCodesRemaining}`);
  }
  if ('secret' in body || 'backup_codes' in body) failures.push('the status answer carries a secret or backup codes');
  const remaining = expected.backupCodesRemaining === undefined ? '' : `, backup_codes_remaining ${expected.backupCodesRemaining}`;
  return checkAll(`2FA status says enabled:${expected.enabled}${remaining}, and nothing secret`, failures, `200, enabled:${String(body.enabled)}${remaining}`);
}

export function checkDisabled(exchange: HttpExchange): CheckResult {
  const body = jsonObject(exchange);
  const failures: string[] = [];
  if (exchange.status !== 200) failures.push(`status ${describeStatus(exchange)}, expected 200`);
  if (body.enabled !== false) failures.push(`enabled is ${JSON.stringify(body.enabled)}, expected false`);
  return checkAll('disable with a TOTP code answers 200 enabled:false', failures, '200, enabled:false');
}
