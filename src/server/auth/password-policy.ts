import { createRequire } from 'node:module';

/**
 * NIST SP 800-63B §5.1.1.2: at least 8 (we ask 12) and up to 64+ (we allow 128) characters,
 * no composition rules, and a check against known-compromised and context-specific values.
 * Lengths count Unicode code points after NFKC normalisation, as §5.1.1.2 suggests.
 */
export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 128;

// zxcvbn-ts ships ~49k passwords ranked by frequency in real leaks; the top 1,000 the
// issue names are its first entries, and we refuse the whole list. Loaded on the first check
// (a sign-up or password change), not at start: with its other word lists it is several MB
// that a server only verifying sessions and logins never needs (docs/performance.md, memory).
let commonPasswords: Set<string> | undefined;
function isCommonPassword(lower: string): boolean {
  if (!commonPasswords) {
    const require = createRequire(import.meta.url);
    const { dictionary } = require('@zxcvbn-ts/language-common') as typeof import('@zxcvbn-ts/language-common');
    commonPasswords = new Set(dictionary['passwords-common'].map((p) => p.toLowerCase()));
  }
  return commonPasswords.has(lower);
}

const SERVICE_WORDS = ['proofgate'];

export type PasswordPolicyResult = { ok: true } | { ok: false; code: 'PASSWORD_TOO_SHORT' | 'PASSWORD_TOO_LONG' | 'PASSWORD_TOO_COMMON'; detail: string };

export function normalizePassword(password: string): string {
  return password.normalize('NFKC');
}

export function checkPasswordPolicy(password: string, context: { email?: string } = {}): PasswordPolicyResult {
  const normalized = normalizePassword(password);
  const length = [...normalized].length;
  if (length < PASSWORD_MIN_LENGTH) {
    return { ok: false, code: 'PASSWORD_TOO_SHORT', detail: `Use at least ${PASSWORD_MIN_LENGTH} characters` };
  }
  if (length > PASSWORD_MAX_LENGTH) {
    return { ok: false, code: 'PASSWORD_TOO_LONG', detail: `Use at most ${PASSWORD_MAX_LENGTH} characters` };
  }
  const lower = normalized.toLowerCase();
  if (isCommonPassword(lower)) {
    return { ok: false, code: 'PASSWORD_TOO_COMMON', detail: 'This password appears in lists of commonly used passwords' };
  }
  // "Repetitive or sequential characters" (§5.1.1.2): aaaaaaaaaaaa, abababababab.
  if (new Set(lower).size <= 2) {
    return { ok: false, code: 'PASSWORD_TOO_COMMON', detail: 'Use more than two different characters' };
  }
  const email = context.email?.toLowerCase();
  const localPart = email?.split('@')[0];
  const contextWords = [...SERVICE_WORDS, ...(email ? [email] : []), ...(localPart && localPart.length >= 4 ? [localPart] : [])];
  if (contextWords.some((word) => lower === word || lower.replace(/[^a-z0-9]/g, '') === word.replace(/[^a-z0-9]/g, ''))) {
    return { ok: false, code: 'PASSWORD_TOO_COMMON', detail: 'Do not use your email address or the name of this service' };
  }
  return { ok: true };
}
