import type { AuthContext } from '../core/auth-context';
import { AppError } from '../core/app-error';
import type { RequestOrigin } from '../core/request-origin';
import { encryptSecret } from '../lib/secret-box';
import { totpSecretContext, type CodeChecker } from './code-check';
import { enabledCredential, finishFactorChange, hashBackupCodes, requireAssuranceFor } from './factor-change';
import type { Executor } from './store';
import type { AttemptThrottle } from './throttle';
import { buildOtpauthUrl, generateTotpSecretBase32 } from './totp';
import type { FactorMethod, SecondFactorInput, TwoFactorDeps, TwoFactorEnrolment, TwoFactorStatus } from './types';

export interface EnrolmentParts {
  codes: CodeChecker;
  throttle: AttemptThrottle;
  /** True when another capability's second factor (a passkey) is left on the account. */
  hasOtherFactor(userId: string, executor?: Executor): Promise<boolean>;
}

type Enrolment = { deps: TwoFactorDeps; parts: EnrolmentParts; now: () => Date };

/** Setting TOTP up, confirming it, turning it off, replacing the backup codes, and the admin reset. */
export function createTwoFactorEnrolment(deps: TwoFactorDeps, parts: EnrolmentParts): TwoFactorEnrolment {
  const self: Enrolment = { deps, parts, now: () => new Date(deps.clock.nowMs()) };
  return {
    status: (auth) => status(self, auth),
    setup: (auth, origin) => setup(self, auth, origin),
    confirm: (auth, code, origin) => confirm(self, auth, code, origin),
    disable: (auth, factor, origin) => disable(self, auth, factor, origin),
    regenerateBackupCodes: (auth, factor, origin) => regenerateBackupCodes(self, auth, factor, origin),
    async adminReset(userId, origin) {
      return deps.store.transaction(async (tx) => {
        const removed = (await deps.store.deleteAllFactors(tx, userId)) > 0;
        const sessionsRevoked = await deps.sessions.endAllForUser(tx, userId);
        await deps.audit.record('admin.2fa_reset', { userId, origin: origin, details: { sessions_revoked: sessionsRevoked } }, tx);
        return { removed, sessionsRevoked };
      });
    },
  };
}

async function status({ deps }: Enrolment, auth: AuthContext): Promise<TwoFactorStatus> {
  const found = await deps.store.getCredentialWithUnusedCodes(auth.user.id);
  const credential = found?.credential;
  requireAssuranceFor(auth, credential);
  const enabled = Boolean(credential?.enabledAt);
  return {
    enabled,
    enabledAt: credential?.enabledAt ?? null,
    backupCodesRemaining: enabled ? (found?.unusedBackupCodes ?? 0) : 0,
    lastUsedAt: enabled ? (credential?.lastUsedAt ?? null) : null,
    pendingSetup: Boolean(credential && !credential.enabledAt),
  };
}

async function setup({ deps, now }: Enrolment, auth: AuthContext, origin: RequestOrigin) {
  const { store, audit, telemetry, randomBytes } = deps;
  const existing = await store.getCredential(auth.user.id);
  requireAssuranceFor(auth, existing);
  if (existing?.enabledAt) throw new AppError('TWO_FACTOR_ALREADY_ENABLED');
  const secret = generateTotpSecretBase32(randomBytes);
  const ciphertext = encryptSecret(deps.keys, Buffer.from(secret, 'utf8'), totpSecretContext(auth.user.id), randomBytes);
  if (!(await store.upsertPendingCredential(auth.user.id, ciphertext, now()))) {
    throw new AppError('TWO_FACTOR_ALREADY_ENABLED');
  }
  const otpauthUrl = buildOtpauthUrl(secret, deps.issuer, auth.user.email);
  // qrcode is loaded by the first enrolment, not at start (docs/performance.md, memory).
  const { default: QRCode } = await import('qrcode');
  const qrDataUrl = await QRCode.toDataURL(otpauthUrl, { errorCorrectionLevel: 'M', margin: 2, width: 256 });
  await audit.record('2fa.setup_started', { userId: auth.user.id, origin: origin });
  telemetry.emit('2fa.setup_started', { user_id: auth.user.id, request_id: origin.requestId });
  return { secret, otpauthUrl, qrDataUrl, issuer: deps.issuer, accountLabel: auth.user.email };
}

async function confirm({ deps, parts, now }: Enrolment, auth: AuthContext, code: string, origin: RequestOrigin) {
  const { store } = deps;
  const userId = auth.user.id;
  const credential = await store.getCredential(userId);
  if (!credential) throw new AppError('TWO_FACTOR_SETUP_REQUIRED');
  if (credential.enabledAt) throw new AppError('TWO_FACTOR_ALREADY_ENABLED');
  return parts.throttle.throttled(userId, origin, async () => {
    const step = parts.codes.matchTotpCode(credential, code);
    if (step === null) return parts.codes.failWith(userId, 'totp', 'invalid_code', 'confirm', origin, 'INVALID_CODE');
    const codes = await hashBackupCodes(deps.randomBytes, origin);
    const issued = await store.transaction(async (tx) => {
      const enabled = await store.enablePendingCredential(tx, {
        userId,
        secretCiphertext: credential.secretCiphertext,
        step,
        now: now(),
      });
      if (!enabled) {
        // Lost a race: another confirm enabled it, or another setup replaced the secret.
        const current = await store.getCredential(userId, tx);
        throw new AppError(current?.enabledAt ? 'TWO_FACTOR_ALREADY_ENABLED' : 'TWO_FACTOR_SETUP_REQUIRED');
      }
      await store.replaceBackupCodes(tx, userId, codes.hashed, now());
      return finishFactorChange(deps, tx, auth, { aal: 2, event: '2fa.enabled' }, origin);
    });
    deps.telemetry.emit('2fa.enabled', { user_id: userId, request_id: origin.requestId });
    return { backupCodes: codes.display, issued };
  });
}

async function disable({ deps, parts }: Enrolment, auth: AuthContext, factor: SecondFactorInput, origin: RequestOrigin) {
  const { store } = deps;
  const userId = auth.user.id;
  const credential = await enabledCredential(store, auth);
  return parts.throttle.throttled(userId, origin, async () => {
    await parts.codes.checkFactor(credential, factor, 'disable', origin);
    const method: FactorMethod = factor.backupCode !== undefined ? 'backup_code' : 'totp';
    const issued = await store.transaction(async (tx) => {
      // With a passkey left, two-factor stays on: the backup codes stay and so does AAL2.
      const passkeyLeft = await parts.hasOtherFactor(userId, tx);
      if (!(await store.deleteEnabledCredential(tx, userId, { keepBackupCodes: passkeyLeft }))) throw new AppError('TWO_FACTOR_NOT_ENABLED');
      if (passkeyLeft) return finishFactorChange(deps, tx, auth, { event: '2fa.disabled', details: { method, reason: 'totp_removed' } }, origin);
      return finishFactorChange(deps, tx, auth, { aal: 1, event: '2fa.disabled', details: { method } }, origin);
    });
    deps.telemetry.emit('2fa.disabled', { user_id: userId, method, request_id: origin.requestId });
    return { issued };
  });
}

async function regenerateBackupCodes({ deps, parts, now }: Enrolment, auth: AuthContext, factor: SecondFactorInput, origin: RequestOrigin) {
  const { store } = deps;
  const userId = auth.user.id;
  const credential = await enabledCredential(store, auth);
  return parts.throttle.throttled(userId, origin, async () => {
    await parts.codes.checkFactor(credential, factor, 'regenerate', origin);
    const codes = await hashBackupCodes(deps.randomBytes, origin);
    const issued = await store.transaction(async (tx) => {
      await store.replaceBackupCodes(tx, userId, codes.hashed, now());
      return finishFactorChange(deps, tx, auth, { event: '2fa.backup_codes_regenerated' }, origin);
    });
    deps.telemetry.emit('2fa.backup_codes_regenerated', { user_id: userId, request_id: origin.requestId });
    return { backupCodes: codes.display, issued };
  });
}
