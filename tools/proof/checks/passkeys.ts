import type { CheckResult, HttpExchange, ProofItem, SqlEvidence } from '../evidence';
import type { ProofEvidence } from '../run-evidence';
import { describeStatus, jsonObject, sessionCookieSet } from './http';
import { check, checkAll, need, recordedRows as rowsOf, statusOf } from './result';

/** PASSKEYS: registration and both sign-ins recorded with curl, the stored row read with SQL. */

function needStep<T>(value: T | undefined, expectation: string, run: (value: T) => CheckResult): CheckResult {
  return need(value, expectation, 'the flow stopped before this step', run);
}

function aalOf(exchange: HttpExchange): unknown {
  return (jsonObject(exchange).session as { aal?: unknown } | undefined)?.aal;
}

function checkCreationOptions(options: HttpExchange, expectedRpId: string): CheckResult {
  const body = jsonObject(options);
  const selection = (body.authenticatorSelection ?? {}) as Record<string, unknown>;
  const failures: string[] = [];
  if (options.status !== 200) failures.push(`answered ${describeStatus(options)}`);
  if (body.attestation !== 'none') failures.push(`attestation ${String(body.attestation)}`);
  if (selection.residentKey !== 'preferred' || selection.userVerification !== 'preferred') failures.push(`authenticatorSelection ${JSON.stringify(selection)}`);
  if ((body.rp as { id?: unknown } | undefined)?.id !== expectedRpId) failures.push(`rp.id is not ${expectedRpId}`);
  return checkAll(`creation options: attestation none, resident key and user verification preferred, RP ID ${expectedRpId} (PUBLIC_URL's host)`, failures, 'as expected');
}

function checkRegistered(verify: HttpExchange): CheckResult {
  const codes = jsonObject(verify).backup_codes;
  const failures: string[] = [];
  if (verify.status !== 200) failures.push(`answered ${describeStatus(verify)}`);
  if (!Array.isArray(codes) || codes.length !== 10) failures.push('no 10 backup codes (the passkey is the first factor)');
  if (aalOf(verify) !== 2) failures.push(`session aal ${String(aalOf(verify))}`);
  return checkAll('the passkey is added, turns two-factor on with 10 backup codes (once), and the session is AAL2', failures, '200, 10 backup codes, aal 2');
}

function checkStoredRow(rows: Record<string, unknown>[], columns: Record<string, unknown>[], email: string): CheckResult {
  const row = rows[0] ?? {};
  const failures: string[] = [];
  if (rows.length !== 1) failures.push(`${rows.length} rows`);
  const names = columns.map((c) => String(c.column_name));
  const secretLike = names.filter((n) => /secret|private|password|cipher/.test(n));
  if (secretLike.length > 0) failures.push(`columns named like secrets: ${secretLike.join(', ')}`);
  const handle = typeof row.user_handle === 'string' ? Buffer.from(row.user_handle, 'base64url') : Buffer.alloc(0);
  if (handle.length !== 32 || handle.toString('utf8').includes(email)) failures.push('user handle is not 32 random bytes');
  const key = typeof row.public_key === 'string' ? Buffer.from(row.public_key, 'base64url') : Buffer.alloc(0);
  // A COSE_Key is a CBOR map: major type 5 in the first byte's top three bits.
  if (key.length === 0 || key[0]! >> 5 !== 5) failures.push('public_key is not a COSE key as received');
  return checkAll('one stored row with only public data: credential id, COSE public key, random user handle, counter, flags', failures, `columns: ${names.join(', ')}`);
}

function checkSignedIn(exchange: HttpExchange, expectation: string): CheckResult {
  const failures: string[] = [];
  if (exchange.status !== 200) failures.push(`answered ${describeStatus(exchange)}`);
  if (aalOf(exchange) !== 2) failures.push(`session aal ${String(aalOf(exchange))}`);
  if (!sessionCookieSet(exchange)) failures.push('no session cookie set');
  return checkAll(expectation, failures, '200, session cookie set, aal 2');
}

export function evaluatePasskeys(ev: ProofEvidence, allExchanges: readonly HttpExchange[]): ProofItem {
  const s = ev.passkeys;
  const register = allExchanges.find((e) => e.id === 'pk-01-register');
  const email = register ? (jsonObject(register).user as { email?: unknown } | undefined)?.email : undefined;
  const checks: CheckResult[] = [
    needStep(s.registrationOptions, 'creation options by the contract', (options) => checkCreationOptions(options, s.rpId ?? 'localhost')),
    needStep(s.registrationVerify, 'the passkey is added', checkRegistered),
    needStep(rowsOf(s.rowAfterRegistration), 'the stored row', (rows) => checkStoredRow(rows, rowsOf(s.columns) ?? [], typeof email === 'string' ? email : '')),
    needStep(s.login, 'login names the passkey', (login) => {
      const methods = jsonObject(login).methods;
      return check('the password step answers requires_2fa with methods naming passkey, and sets no session cookie', Array.isArray(methods) && methods.includes('passkey') && !sessionCookieSet(login), `${describeStatus(login)}, methods ${JSON.stringify(methods)}`);
    }),
    needStep(s.secondFactorVerify, 'second factor', (e) => checkSignedIn(e, 'password + passkey: an AAL2 session')),
    needStep(s.passwordlessVerify, 'passwordless', (e) => checkSignedIn(e, 'the passkey alone (discoverable, user verified): an AAL2 session')),
    needStep(s.wrongOrigin, 'another origin refused', (e) =>
      check('an assertion signed for another origin is refused with PASSKEY_VERIFICATION_FAILED and opens no session', e.status === 400 && jsonObject(e).error_code === 'PASSKEY_VERIFICATION_FAILED' && !sessionCookieSet(e), describeStatus(e)),
    ),
    needStep(rowsOf(s.rowAfterSignIns), 'counter moved', (rows) =>
      check('the stored counter moved forward and the last use is recorded', Number(rows[0]?.counter) > Number(rowsOf(s.rowAfterRegistration)?.[0]?.counter ?? 0) && rows[0]?.last_used_at !== null && rows[0]?.last_used_at !== undefined, `counter ${String(rows[0]?.counter)}, last_used_at ${String(rows[0]?.last_used_at)}`),
    ),
    ...ev.errors.PASSKEYS.map((e) => check(`the flow step "${e.step}" runs to the end`, false, e.message)),
  ];
  const http = [s.registrationOptions, s.registrationVerify, s.list, s.login, s.secondFactorOptions, s.secondFactorVerify, s.passwordlessOptions, s.passwordlessVerify, s.me, s.wrongOrigin]
    .filter((e): e is HttpExchange => e !== undefined)
    .map((exchange) => ({ kind: 'http' as const, exchange }));
  const sql = [s.columns, s.rowAfterRegistration, s.rowAfterSignIns].filter((e): e is SqlEvidence => e !== undefined).map((q) => ({ kind: 'sql' as const, sql: q }));
  return {
    id: 'PASSKEYS',
    title: 'Passkeys (WebAuthn)',
    proves: 'A passkey added with curl and a software authenticator, then used after the password and alone (AAL2 both times); an assertion signed for another origin refused; the stored row holds only public data.',
    status: statusOf(checks),
    checks,
    evidence: [...http, ...sql],
  };
}
