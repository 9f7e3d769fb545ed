import type { RecordedSecret, SecretKind } from './checks/redaction';

/**
 * Masking for everything the proof writes. Two layers: every value the proof recorded as a
 * secret is replaced wherever it appears, and fields and headers that carry secrets by their
 * name are masked even when the value was never recorded. The final scan
 * (checks/redaction.ts) then proves the result on the written bytes.
 */

/**
 * The one marker every mask shows. Fixed on purpose: a prefix narrows a guess and a length tells
 * a code from a token, so a mask says only that something was there.
 */
export const REDACTED = '[redacted]';

export function maskSecret(_value: string): string {
  return REDACTED;
}

const SECRET_FIELDS = new Set(['password', 'new_password', 'current_password', 'code', 'backup_code', 'temp_token', 'secret', 'token', 'auth_token']);

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export class SecretRegistry {
  private readonly secrets = new Map<string, RecordedSecret>();

  add(kind: SecretKind, label: string, value: string | undefined): void {
    if (!value || this.secrets.has(value)) return;
    this.secrets.set(value, { kind, label, value });
  }

  list(): RecordedSecret[] {
    return [...this.secrets.values()];
  }

  /** Replaces every recorded secret in `text` (longest first, so a value inside another is not half-masked). */
  redactText(text: string): string {
    let out = text;
    const secrets = this.list().sort((a, b) => b.value.length - a.value.length);
    for (const secret of secrets) {
      const forms = new Set([secret.value, encodeURIComponent(secret.value)]);
      if (secret.kind === 'backup_code') forms.add(secret.value.replace(/-/g, ''));
      for (const form of forms) {
        const ci = secret.kind === 'totp_secret' || secret.kind === 'backup_code';
        // Short codes are replaced only as a token of their own, the way the scan looks for them.
        const pattern = form.length < 8 ? `(?<![0-9A-Za-z])${escapeRegExp(form)}(?![0-9A-Za-z])` : escapeRegExp(form);
        out = out.replace(new RegExp(pattern, ci ? 'gi' : 'g'), maskSecret(secret.value));
      }
    }
    return out;
  }
}

/** Masks secret-bearing JSON fields by name (password, code, temp_token, backup_codes, QR data, the otpauth secret). */
export function maskJsonSecrets(value: unknown, key?: string): unknown {
  if (typeof value === 'string') {
    if (key && SECRET_FIELDS.has(key)) return maskSecret(value);
    if (key === 'backup_codes') return maskSecret(value);
    if (key === 'qr_data_url') {
      const comma = value.indexOf(',');
      return comma < 0 ? maskSecret(value) : `${value.slice(0, comma + 1)}${maskSecret(value.slice(comma + 1))}`;
    }
    if (key === 'otpauth_url') return value.replace(/([?&]secret=)([^&]+)/i, (_m, p: string, s: string) => `${p}${maskSecret(s)}`);
    return value;
  }
  if (Array.isArray(value)) return value.map((item) => maskJsonSecrets(item, key));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskJsonSecrets(v, k)]));
  }
  return value;
}

/** Cookie values in Set-Cookie / Cookie headers, and Authorization, are masked whatever they are. */
export function maskHeader(name: string, value: string): string {
  const lower = name.toLowerCase();
  if (lower === 'set-cookie') {
    return value.replace(/^([^=;]+)=([^;]*)/, (_m, cookieName: string, cookieValue: string) => `${cookieName}=${cookieValue ? maskSecret(cookieValue) : ''}`);
  }
  if (lower === 'cookie') return value.replace(/([^=;\s]+)=([^;]*)/g, (_m, n: string, v: string) => `${n}=${maskSecret(v)}`);
  if (lower === 'authorization') return maskSecret(value);
  return value;
}

/** postgres://user:password@host/db → postgres://user:[redacted]@host/db */
export function maskUrlCredentials(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*:)([^@/]+)@/i, (_m, head: string, password: string) => `${head}${maskSecret(password)}@`);
}
