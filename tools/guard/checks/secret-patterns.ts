import type { TextFile } from '../files';
import { findMatchingLines, trimExcerpt } from '../findings';

/** A suspected secret on one line; `rawLine` is only for the allow-list and is never printed. */
export interface SecretHit {
  line: number;
  rawLine: string;
  excerpt: string;
  detail: string;
}

const privateKeyHeader = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----/;
// Twilio Account SIDs start with AC, API key SIDs with SK, both followed by 32 hex digits.
const twilioSid = /\b(AC|SK)([0-9a-f]{32})\b/;
// An auth token is 32 hex digits, an API key secret 32 alphanumerics; we look for either assigned to a token/secret name.
const twilioSecretAssignment = /(?:token|secret)[A-Za-z_]*["']?\s*[:=]\s*["'`]?([0-9A-Za-z]{32})(?![0-9A-Za-z])/i;
const encryptionKeyAssignment = /\bAPP_ENC_KEY\s*=(?!=)\s*(.*)$/;

export function findPrivateKeys(file: TextFile): SecretHit[] {
  return findMatchingLines(file, privateKeyHeader).map((hit) => ({
    line: hit.line,
    rawLine: hit.text,
    excerpt: trimExcerpt(hit.match[0]),
    detail: 'PEM private key',
  }));
}

export function findTwilioSids(file: TextFile): SecretHit[] {
  return findMatchingLines(file, twilioSid).map((hit) => ({
    line: hit.line,
    rawLine: hit.text,
    // A SID is an identifier, not a credential, but printing it whole still tells an attacker whose account this is.
    excerpt: trimExcerpt(hit.text.replace(hit.match[0], `${hit.match[1]}${hit.match[2]?.slice(0, 4)}…`)),
    detail: hit.match[1] === 'AC' ? 'Twilio Account SID' : 'Twilio API key SID',
  }));
}

export function findTwilioSecrets(file: TextFile): SecretHit[] {
  return findMatchingLines(file, twilioSecretAssignment).map((hit) => ({
    line: hit.line,
    rawLine: hit.text,
    excerpt: trimExcerpt(redact(hit.text, hit.match[1] ?? '')),
    detail: 'Twilio auth token or API secret next to a SID',
  }));
}

export function findEncryptionKeys(file: TextFile): SecretHit[] {
  return findMatchingLines(file, encryptionKeyAssignment)
    .filter((hit) => isLiteralValue(hit.match[1] ?? ''))
    .map((hit) => ({
      line: hit.line,
      rawLine: hit.text,
      excerpt: trimExcerpt(redact(hit.text, (hit.match[1] ?? '').trim())),
      detail: 'APP_ENC_KEY with a value',
    }));
}

/** `.env`, `.env.local`, `config/.env.production`…: files made to hold real values. `.env.example` documents names only. */
export function isDotenvFile(path: string): boolean {
  const name = path.slice(path.lastIndexOf('/') + 1);
  return (name === '.env' || name.startsWith('.env.')) && name !== '.env.example';
}

function isLiteralValue(rawValue: string): boolean {
  const value = rawValue.replace(/\s+#.*$/, '').trim();
  const unquoted = value.replace(/^(['"])(.*)\1$/, '$2').trim();
  // `$(openssl rand …)` or `${KEY}` in docs and scripts is an expansion, not a committed key.
  return unquoted.length > 0 && !unquoted.startsWith('$');
}

function redact(line: string, secret: string): string {
  return secret.length > 0 ? line.split(secret).join('[redacted]') : line;
}
