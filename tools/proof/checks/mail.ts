import type { CheckResult, HttpExchange } from '../evidence';
import { check, checkAll } from './result';
import { describeStatus, jsonObject } from './http';
import type { RecordedSecret } from './redaction';

/** MAIL-RESET and MAIL-NOTICES: what arrived at the SMTP fake, and the reset flow over curl. */
export interface MailboxMessage {
  to: string[];
  subject: string;
  text: string;
  html: string;
  /** The message exactly as the SMTP fake received it. */
  raw: string;
}

export function checkForgotIdentical(known: HttpExchange, unknown: HttpExchange): CheckResult {
  const failures: string[] = [];
  if (known.status !== 202) failures.push(`existing email: ${describeStatus(known)}, expected 202`);
  if (unknown.status !== 202) failures.push(`unknown email: ${describeStatus(unknown)}, expected 202`);
  if (known.bodyText !== unknown.bodyText) failures.push('the two bodies differ');
  return checkAll(
    'POST /api/auth/password/forgot answers the same 202 and body for an existing and an unknown email',
    failures,
    `202 and ${known.bodyText.length}-byte identical bodies (request times ${known.durationMs} ms and ${unknown.durationMs} ms, for information)`,
  );
}

export function checkResetMailOnlyToOwner(mailbox: readonly MailboxMessage[], known: string, unknown: string, publicUrl: string): CheckResult {
  const resets = mailbox.filter((m) => m.to.includes(known) && m.subject.includes('Reset your password'));
  const failures: string[] = [];
  if (resets.length !== 1) failures.push(`${resets.length} reset mails to the account's address, expected 1`);
  const link = resets[0] ? new RegExp(`${publicUrl.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/reset-password#token=[A-Za-z0-9_-]{43}`).test(resets[0].text) : false;
  if (resets[0] && !link) failures.push('the mail has no PUBLIC_URL/reset-password#token=<43 base64url characters> link');
  if (mailbox.some((m) => m.to.includes(unknown))) failures.push('a mail went to the unknown address');
  return checkAll(
    'the SMTP fake received exactly one reset mail, to the account, with a 256-bit token link on PUBLIC_URL; nothing went to the unknown address',
    failures,
    'one reset mail with the link; none to the unknown address',
  );
}

export function checkResetWorksOnce(s: { reset?: HttpExchange; oldLogin?: HttpExchange; newLogin?: HttpExchange; reuse?: HttpExchange }): CheckResult {
  const failures: string[] = [];
  if (s.reset?.status !== 204) failures.push(`reset: ${s.reset ? describeStatus(s.reset) : 'not run'}, expected 204`);
  if (s.oldLogin?.status !== 401) failures.push(`old password: ${s.oldLogin ? describeStatus(s.oldLogin) : 'not run'}, expected 401`);
  if (s.newLogin?.status !== 200) failures.push(`new password: ${s.newLogin ? describeStatus(s.newLogin) : 'not run'}, expected 200`);
  if (s.reuse?.status !== 400 || jsonObject(s.reuse).error_code !== 'RESET_TOKEN_INVALID') {
    failures.push(`second use: ${s.reuse ? `${describeStatus(s.reuse)} ${String(jsonObject(s.reuse).error_code)}` : 'not run'}, expected 400 RESET_TOKEN_INVALID`);
  }
  return checkAll(
    'the mailed token sets a new password once (204): the old password is refused, the new one signs in, a second use is refused',
    failures,
    '204; old password 401; new password 200; second use 400 RESET_TOKEN_INVALID',
  );
}

export function checkResetTokenStoredHashed(rows: readonly Record<string, unknown>[]): CheckResult {
  const row = rows[0];
  const failures: string[] = [];
  if (rows.length !== 1 || !row) failures.push(`${rows.length} token rows for the user, expected 1`);
  else {
    if (row.hash_matches !== true) failures.push('token_hash is not SHA-256 of the mailed token');
    if (row.used !== true) failures.push('used_at is not set after the reset');
    if (row.rows_holding_raw_token !== 0) failures.push('a row holds the raw token');
  }
  return checkAll('password_reset_tokens keeps only SHA-256 of the token, marked used after the reset', failures, 'token_hash = sha256(token); used_at set; raw token in no row');
}

export function checkNoticesArrived(mailbox: readonly MailboxMessage[], expected: ReadonlyArray<{ email: string; subject: string; why: string }>): CheckResult[] {
  return expected.map(({ email, subject, why }) => {
    const found = mailbox.filter((m) => m.to.includes(email) && m.subject.endsWith(subject));
    const plainAndHtml = found.every((m) => m.text.includes('If this was not you') && m.html.includes('If this was not you'));
    return check(`${why}: "${subject}" arrived once, in plain text and HTML`, found.length === 1 && plainAndHtml, `${found.length} message(s)`);
  });
}

/**
 * No message carries a recorded secret (passwords, TOTP secrets and codes, backup codes, session
 * cookies, temp tokens, SMTP credentials); the reset token may appear only in its own reset mail.
 */
export function checkNoSecretInMail(mailbox: readonly MailboxMessage[], secrets: readonly RecordedSecret[]): CheckResult {
  const leaks: string[] = [];
  for (const message of mailbox) {
    for (const secret of secrets) {
      if (secret.value.length < 6 || !message.raw.includes(secret.value)) continue;
      if (secret.kind === 'reset_token' && message.subject.includes('Reset your password')) continue;
      leaks.push(`${secret.label} in "${message.subject}"`);
    }
    if (/<img|https?:\/\/[^\s"]*(?:track|pixel)/i.test(message.html)) leaks.push(`a tracking image or link in "${message.subject}"`);
  }
  return checkAll(
    `none of the ${mailbox.length} messages carries a secret the run used (only a reset mail carries its own reset token), nor a tracking image`,
    leaks,
    `${mailbox.length} messages scanned raw against ${secrets.length} recorded secrets`,
  );
}
