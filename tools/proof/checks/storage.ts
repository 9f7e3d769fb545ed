import type { CheckResult } from '../evidence';
import { checkAll } from './result';

/** B1: what the database holds for two-factor authentication (docs/security.md, "Stolen database dump"). */

type Row = Record<string, unknown>;

const REQUIRED_COLUMNS: Record<string, string[]> = {
  two_factor_credentials: ['user_id', 'secret_ciphertext', 'enabled_at', 'last_used_step'],
  two_factor_backup_codes: ['user_id', 'selector', 'code_hash', 'used_at'],
  two_factor_challenges: ['user_id', 'token_hash', 'expires_at', 'consumed_at', 'failed_attempts'],
};
/** Column names that would mean a secret is kept in clear. */
const FORBIDDEN_COLUMNS = /^(secret|totp_secret|secret_base32|code|backup_code|token|temp_token|plain.*)$/;

export function checkTwoFactorColumns(columns: readonly Row[]): CheckResult {
  const failures: string[] = [];
  for (const [table, required] of Object.entries(REQUIRED_COLUMNS)) {
    const names = columns.filter((c) => c.table_name === table).map((c) => String(c.column_name));
    if (names.length === 0) {
      failures.push(`table ${table} not found`);
      continue;
    }
    const missing = required.filter((r) => !names.includes(r));
    if (missing.length > 0) failures.push(`${table} lacks ${missing.join(', ')}`);
    const clear = names.filter((n) => FORBIDDEN_COLUMNS.test(n));
    if (clear.length > 0) failures.push(`${table} has a clear-text column: ${clear.join(', ')}`);
  }
  return checkAll(
    'the 2FA tables keep secret_ciphertext, code_hash and token_hash, and no clear-text secret, code or token column',
    failures,
    `${columns.length} columns in ${Object.keys(REQUIRED_COLUMNS).length} tables`,
  );
}

function base32ToBytes(base32: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const char of base32.toUpperCase().replace(/=+$/, '')) {
    const index = alphabet.indexOf(char);
    if (index < 0) continue;
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/**
 * The stored value is an encrypted envelope: it contains the base32 secret in no letter case,
 * nor the secret's bytes in hex or base64, and is not itself a base32 string.
 */
export function checkSecretNotBase32(row: Row | undefined, secretBase32: string): CheckResult {
  const failures: string[] = [];
  const stored = typeof row?.secret_ciphertext === 'string' ? row.secret_ciphertext : undefined;
  if (!secretBase32) failures.push('no secret was recorded from setup');
  if (stored === undefined) failures.push('no secret_ciphertext row');
  if (stored !== undefined && secretBase32) {
    const lower = stored.toLowerCase();
    if (lower.includes(secretBase32.toLowerCase())) failures.push('the column contains the base32 secret');
    const bytes = base32ToBytes(secretBase32);
    for (const [name, encoded] of [
      ['hex', bytes.toString('hex')],
      ['base64', bytes.toString('base64').replace(/=+$/, '')],
      ['base64url', bytes.toString('base64url')],
    ] as const) {
      if (encoded.length > 0 && lower.includes(encoded.toLowerCase())) failures.push(`the column contains the secret's bytes in ${name}`);
    }
    if (/^[A-Z2-7]+=*$/i.test(stored)) failures.push('the column holds a base32 string');
    if (!/^v1\.[0-9a-f]{16}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(stored)) {
      failures.push('the column is not an AES-256-GCM envelope v1.<key id>.<iv>.<ciphertext>.<tag>');
    }
  }
  return checkAll(
    'two_factor_credentials.secret_ciphertext is an encrypted envelope that does not contain the base32 secret (any case, hex or base64)',
    failures,
    `envelope ${stored ? `${stored.split('.').slice(0, 2).join('.')}.… (${stored.length} chars)` : '(none)'}; secret absent in every encoding`,
  );
}

const PHC_ARGON2ID = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/;
/** OWASP Password Storage Cheat Sheet, argon2id first setting: m = 19 MiB, t = 2, p = 1 (or stronger). */
const MIN_MEMORY_KIB = 19_456;
const MIN_TIME = 2;

/** Ten argon2id PHC hashes at OWASP parameters or stronger, none equal to or containing a shown code. */
export function checkBackupCodeHashes(rows: readonly Row[], shownCodes: readonly string[]): CheckResult {
  const failures: string[] = [];
  if (rows.length !== 10) failures.push(`${rows.length} stored backup codes, expected 10`);
  if (shownCodes.length !== 10) failures.push(`${shownCodes.length} codes were shown, expected 10`);
  const forms = shownCodes.flatMap((c) => [c.toLowerCase(), c.replace(/-/g, '').toLowerCase()]);
  rows.forEach((row, index) => {
    const hash = typeof row.code_hash === 'string' ? row.code_hash : '';
    const phc = PHC_ARGON2ID.exec(hash);
    if (!phc) failures.push(`row ${index + 1} is not an argon2id v=19 PHC string`);
    else if (Number(phc[1]) < MIN_MEMORY_KIB || Number(phc[2]) < MIN_TIME || Number(phc[3]) < 1) {
      failures.push(`row ${index + 1} uses m=${phc[1]},t=${phc[2]},p=${phc[3]}, weaker than m=19456,t=2,p=1`);
    }
    const lower = hash.toLowerCase();
    if (forms.some((form) => lower.includes(form))) failures.push(`row ${index + 1} equals or contains a shown code`);
  });
  const params = rows.map((r) => PHC_ARGON2ID.exec(String(r.code_hash ?? ''))).find(Boolean);
  return checkAll(
    'the 10 backup codes are stored as argon2id PHC hashes ($argon2id$v=19$m=19456,t=2,p=1$… or stronger), none equal to or containing a shown code',
    failures,
    `10 hashes, ${params ? `m=${params[1]},t=${params[2]},p=${params[3]}` : 'no parameters'}, no shown code inside`,
  );
}

/** Bearer tokens (session cookies, temp tokens) are stored only as digests: no row holds a token the client saw. */
export function checkTokensStoredAsHashes(rows: readonly Row[], tokens: readonly string[], what: string): CheckResult {
  const failures: string[] = [];
  if (rows.length === 0) failures.push(`no ${what} rows`);
  if (tokens.length === 0) failures.push(`no ${what}s were recorded`);
  for (const [index, row] of rows.entries()) {
    const hash = String(row.token_hash ?? '');
    if (!/^[0-9a-f]{64}$/.test(hash)) failures.push(`row ${index + 1}: token_hash is not a SHA-256 hex digest`);
    const text = JSON.stringify(row);
    if (tokens.some((t) => t.length > 0 && text.includes(t))) failures.push(`row ${index + 1} contains a ${what} a client holds`);
  }
  return checkAll(
    `${what}s are stored as SHA-256 digests only; no row contains a ${what} a client was given`,
    failures,
    `${rows.length} rows, none holds any of the ${tokens.length} ${what}s handed out in this run`,
  );
}
