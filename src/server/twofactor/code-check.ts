import type { AuditLog } from '../audit/service';
import type { RequestOrigin } from '../core/request-origin';
import { AppError } from '../core/app-error';
import { ipLimiterKey } from '../core/client-address';
import { hashSecret, verifySecret } from '../lib/argon2';
import { decryptSecret, SecretDecryptionError, type SecretContext } from '../lib/secret-box';
import { parseBackupCode } from './backup-codes';
import type { CredentialRow } from './store';
import { matchTotpStep } from './totp';
import type { AttemptPurpose, FactorMethod, SecondFactorInput, TwoFactorDeps } from './types';

const TOTP_SECRET_PURPOSE = 'two_factor_credentials.secret_ciphertext';

export function totpSecretContext(userId: string): SecretContext {
  return { purpose: TOTP_SECRET_PURPOSE, subject: userId };
}

export interface CodeChecker {
  /** The time step a TOTP code matches (±1 window), or null; burning it is the caller's job. */
  matchTotpCode(credential: CredentialRow, code: string): number | null;
  /** Checks a backup code against at most one hash and burns it. A used code fails like a wrong one. */
  checkBackupCode(userId: string, input: string, purpose: AttemptPurpose, origin: RequestOrigin): Promise<void>;
  /** Checks a TOTP code (burning its step) or a backup code (burning it). */
  checkFactor(credential: CredentialRow, factor: SecondFactorInput, purpose: AttemptPurpose, origin: RequestOrigin): Promise<void>;
  /** Audits a refused second factor and throws the matching error. */
  failWith(
    userId: string,
    method: FactorMethod,
    reason: 'invalid_code' | 'replayed',
    purpose: AttemptPurpose,
    origin: RequestOrigin,
    code: 'INVALID_CODE' | 'CODE_ALREADY_USED',
  ): Promise<never>;
}

type CodeCheckDeps = Pick<TwoFactorDeps, 'store' | 'audit' | 'telemetry' | 'logger' | 'clock' | 'randomBytes' | 'keys'>;

/** Tells whether a TOTP or backup code is right, and audits it when it is not. */
export function createCodeChecker(deps: CodeCheckDeps): CodeChecker {
  const { store, audit, telemetry, clock } = deps;
  const now = () => new Date(clock.nowMs());
  const recordFailure = failureRecorder(audit, telemetry);
  const verifyBackupCode = backupCodeVerifier(deps);

  function decryptTotpSecret(credential: CredentialRow): string {
    try {
      return decryptSecret(deps.keys, credential.secretCiphertext, totpSecretContext(credential.userId)).toString('utf8');
    } catch (error) {
      if (error instanceof SecretDecryptionError) {
        // Loud, never "no second factor": the configured keys do not match the stored secret.
        deps.logger.error({ reason: error.reason, key_id: error.keyId }, 'TOTP secret cannot be decrypted with the configured keys');
        throw new AppError('SECRET_DECRYPTION_FAILED', {
          detail: 'Check APP_ENC_KEY / APP_ENC_KEYS_OLD (npm run cli -- keys:check)',
        });
      }
      throw error;
    }
  }

  const failWith: CodeChecker['failWith'] = async (userId, method, reason, purpose, origin, code) => {
    await recordFailure(userId, method, reason, purpose, origin);
    throw new AppError(code);
  };

  const matchTotpCode: CodeChecker['matchTotpCode'] = (credential, code) => matchTotpStep(decryptTotpSecret(credential), code, clock.nowMs());

  /** Checks a TOTP code and burns its time step; CODE_ALREADY_USED for a replayed step. */
  async function checkTotp(credential: CredentialRow, code: string, purpose: AttemptPurpose, origin: RequestOrigin): Promise<void> {
    const step = matchTotpCode(credential, code);
    if (step === null) return failWith(credential.userId, 'totp', 'invalid_code', purpose, origin, 'INVALID_CODE');
    if (!(await store.recordTotpStep(credential.userId, step, now()))) {
      return failWith(credential.userId, 'totp', 'replayed', purpose, origin, 'CODE_ALREADY_USED');
    }
  }

  const checkBackupCode: CodeChecker['checkBackupCode'] = async (userId, input, purpose, origin) => {
    const row = await verifyBackupCode(userId, input, origin, () => recordFailure(userId, 'backup_code', 'replaced_code', purpose, origin));
    if (!row || !(await store.burnBackupCode(row.id, now()))) {
      await recordFailure(userId, 'backup_code', 'invalid_code', purpose, origin);
      throw new AppError('INVALID_CODE');
    }
    await store.touchLastUsed(userId, now());
    const remaining = await store.countUnusedBackupCodes(userId);
    await audit.record('2fa.backup_code_used', { userId, origin: origin, details: { remaining, via: purpose } });
  };

  return {
    matchTotpCode,
    checkBackupCode,
    failWith,
    async checkFactor(credential, factor, purpose, origin) {
      if (factor.backupCode !== undefined) await checkBackupCode(credential.userId, factor.backupCode, purpose, origin);
      else await checkTotp(credential, factor.code, purpose, origin);
    },
  };
}

function failureRecorder(audit: AuditLog, telemetry: TwoFactorDeps['telemetry']) {
  return async (
    userId: string,
    method: FactorMethod,
    reason: 'invalid_code' | 'replayed' | 'replaced_code',
    purpose: AttemptPurpose,
    origin: RequestOrigin,
  ) => {
    await audit.record('2fa.verify.failed', { userId, origin: origin, details: { method, reason, via: purpose } });
    telemetry.emit('2fa.verified', { user_id: userId, method, outcome: reason, request_id: origin.requestId });
  };
}

/**
 * The backup-code lookup: the selector finds at most one stored hash, and exactly one argon2id
 * verification runs whatever is found, so timing does not tell whether a selector exists or
 * was used. Resolves to the matching unused code, or undefined; throws BACKUP_CODE_REPLACED
 * (after `onReplaced`) for a real code of the replaced set.
 */
function backupCodeVerifier(deps: Pick<CodeCheckDeps, 'store' | 'randomBytes'>) {
  const { store } = deps;
  let dummyHash: Promise<string> | undefined;
  const getDummyHash = () => (dummyHash ??= hashSecret(deps.randomBytes(16).toString('hex')));

  return async (userId: string, input: string, origin: RequestOrigin, onReplaced: () => Promise<void>) => {
    const parsed = parseBackupCode(input);
    const row = parsed ? await store.findUnusedBackupCode(userId, parsed.selector) : undefined;
    const replaced = parsed && !row ? await store.findReplacedBackupCode(userId, parsed.selector) : undefined;
    // The client's own argon2 lane: a flood of backup-code guesses waits behind itself, not behind others.
    const clientKey = ipLimiterKey(origin.ip);
    if (row && parsed) return (await verifySecret(row.codeHash, parsed.normalized, clientKey)) ? row : undefined;
    if (replaced && parsed) {
      // Still one hash per attempt. A real code of the replaced set is told apart (and still
      // counts as a failed attempt); a guess sharing only its selector is just "not correct".
      if (await verifySecret(replaced.codeHash, parsed.normalized, clientKey)) {
        await onReplaced();
        throw new AppError('BACKUP_CODE_REPLACED');
      }
      return undefined;
    }
    await verifySecret(await getDummyHash(), input, clientKey);
    return undefined;
  };
}
