import type { CheckResult, WrittenFile } from '../evidence';
import { checkAll } from './result';

/** A raw value the proof saw during the run; none may reach a written file. */
export interface RecordedSecret {
  label: string;
  value: string;
  kind: SecretKind;
}

export type SecretKind =
  | 'password'
  | 'cookie'
  | 'temp_token'
  | 'totp_secret'
  | 'totp_code'
  | 'backup_code'
  | 'twilio_credential'
  | 'encryption_key'
  | 'phone_number'
  | 'url_credential'
  | 'reset_token'
  | 'smtp_credential';

export interface SecretLeak {
  path: string;
  label: string;
}

const TEXT_FILE = /\.(md|html|txt|json|jsonl|log|csv)$/i;
/** Below this length a chance match in compressed image bytes is likely, so such values are searched in text files. */
const MIN_BINARY_SEARCH_LENGTH = 8;

/** Every written form a value could take: as is, URL-encoded, and for case-insensitive kinds, lower-cased. */
export function formsOf(secret: RecordedSecret): string[] {
  const forms = new Set([secret.value, encodeURIComponent(secret.value)]);
  if (secret.kind === 'backup_code') forms.add(secret.value.replace(/-/g, ''));
  return [...forms].filter((f) => f.length > 0);
}

const caseInsensitive = (kind: SecretKind) => kind === 'totp_secret' || kind === 'backup_code';

/**
 * Searches every file's bytes for every recorded secret. TOTP codes (6 digits) are searched in
 * text files as a token of their own: inside a hex digest or UUID a run of six digits is a
 * coincidence (about 1 in 17 million per position), not a leak.
 */
export function findSecretLeaks(files: readonly WrittenFile[], secrets: readonly RecordedSecret[]): SecretLeak[] {
  const leaks: SecretLeak[] = [];
  for (const file of files) {
    const raw = Buffer.from(file.bytes).toString('latin1');
    const lower = raw.toLowerCase();
    const isText = TEXT_FILE.test(file.path);
    for (const secret of secrets) {
      const found = formsOf(secret).some((form) => {
        const needle = Buffer.from(form, 'utf8').toString('latin1');
        if (needle.length < MIN_BINARY_SEARCH_LENGTH) {
          if (!isText) return false;
          const escaped = needle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
          return new RegExp(`(?<![0-9A-Za-z])${escaped}(?![0-9A-Za-z])`, caseInsensitive(secret.kind) ? 'i' : '').test(raw);
        }
        return caseInsensitive(secret.kind) ? lower.includes(needle.toLowerCase()) : raw.includes(needle);
      });
      if (found) leaks.push({ path: file.path, label: secret.label });
    }
  }
  return leaks;
}

export function checkNoSecretInFiles(files: readonly WrittenFile[], secrets: readonly RecordedSecret[]): CheckResult {
  const leaks = findSecretLeaks(files, secrets);
  const failures = leaks.map((leak) => `${leak.label} found in ${leak.path}`);
  if (files.length === 0) failures.push('no files were scanned');
  if (secrets.length === 0) failures.push('no secrets were recorded, so the scan proves nothing');
  const kinds = [...new Set(secrets.map((s) => s.kind))].join(', ');
  return checkAll(
    'no raw secret the proof saw appears in any written file (every file read back as bytes)',
    failures,
    `${secrets.length} secrets (${kinds}) searched in ${files.length} files (${files.reduce((n, f) => n + f.bytes.length, 0)} bytes): none found`,
  );
}

/** The server's own log lines, before the proof masks anything, hold none of the secrets. */
export function checkServerLogClean(lines: readonly string[], secrets: readonly RecordedSecret[]): CheckResult {
  const leaks = findSecretLeaks([{ path: 'server log', bytes: Buffer.from(lines.join('\n'), 'utf8') }], secrets);
  return checkAll(
    'the servers\' log lines (as written by pino, before any masking by the proof) contain none of the secrets',
    leaks.map((l) => `${l.label} in the server log`),
    `${lines.length} log lines, none holds a secret`,
  );
}
