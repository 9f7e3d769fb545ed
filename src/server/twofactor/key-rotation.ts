import type { RandomBytes } from '../lib/random';
import { decryptSecret, encryptSecret, envelopeKeyId, SecretDecryptionError, type KeyRing } from '../lib/secret-box';
import { totpSecretContext } from './code-check';
import type { TwoFactorStore } from './store';

/**
 * Re-encrypts every TOTP secret under the current key, the way Authelia's
 * `storage encryption change-key` does, but row by row with a conditional update:
 * - idempotent: rows already under the current key are skipped;
 * - resumable and safe to interrupt: each row is either its old or its new envelope, both
 *   readable while the old key stays in APP_ENC_KEYS_OLD;
 * - a row changed meanwhile (new setup) is left alone rather than overwritten.
 */
export interface RotationReport {
  scanned: number;
  rotated: number;
  alreadyCurrent: number;
  changedMeanwhile: number;
  failed: Array<{ userId: string; keyId: string | undefined; reason: string }>;
  /** True when --limit stopped the run before the end; run again to continue. */
  stoppedEarly: boolean;
}

export interface KeyCheckReport {
  total: number;
  byKeyId: Record<string, { count: number; current: boolean; configured: boolean }>;
  failed: Array<{ userId: string; keyId: string | undefined; reason: string }>;
}

const PAGE_SIZE = 100;

export async function rotateTotpSecrets(
  deps: { store: TwoFactorStore; keys: KeyRing; randomBytes: RandomBytes },
  options: { limit?: number } = {},
): Promise<RotationReport> {
  const report: RotationReport = { scanned: 0, rotated: 0, alreadyCurrent: 0, changedMeanwhile: 0, failed: [], stoppedEarly: false };
  let after: string | undefined;
  for (;;) {
    const page = await deps.store.listCredentialsPage(after, PAGE_SIZE);
    if (page.length === 0) return report;
    for (const row of page) {
      if (options.limit !== undefined && report.rotated >= options.limit) {
        report.stoppedEarly = true;
        return report;
      }
      report.scanned += 1;
      const keyId = envelopeKeyId(row.secretCiphertext);
      if (keyId === deps.keys.current.id) {
        report.alreadyCurrent += 1;
        continue;
      }
      try {
        const context = totpSecretContext(row.userId);
        const plaintext = decryptSecret(deps.keys, row.secretCiphertext, context);
        const next = encryptSecret(deps.keys, plaintext, context, deps.randomBytes);
        if (await deps.store.replaceCiphertext(row.userId, row.secretCiphertext, next)) report.rotated += 1;
        else report.changedMeanwhile += 1;
      } catch (error) {
        if (!(error instanceof SecretDecryptionError)) throw error;
        report.failed.push({ userId: row.userId, keyId, reason: error.reason });
      }
    }
    after = page[page.length - 1]!.userId;
  }
}

/** Decrypts every stored secret with the configured keys and says which key each one uses. */
export async function checkTotpSecrets(deps: { store: TwoFactorStore; keys: KeyRing }): Promise<KeyCheckReport> {
  const report: KeyCheckReport = { total: 0, byKeyId: {}, failed: [] };
  let after: string | undefined;
  for (;;) {
    const page = await deps.store.listCredentialsPage(after, PAGE_SIZE);
    if (page.length === 0) return report;
    for (const row of page) {
      report.total += 1;
      const keyId = envelopeKeyId(row.secretCiphertext);
      const bucket = (report.byKeyId[keyId ?? 'malformed'] ??= {
        count: 0,
        current: keyId === deps.keys.current.id,
        configured: keyId !== undefined && deps.keys.byId.has(keyId),
      });
      bucket.count += 1;
      try {
        decryptSecret(deps.keys, row.secretCiphertext, totpSecretContext(row.userId));
      } catch (error) {
        if (!(error instanceof SecretDecryptionError)) throw error;
        report.failed.push({ userId: row.userId, keyId, reason: error.reason });
      }
    }
    after = page[page.length - 1]!.userId;
  }
}
