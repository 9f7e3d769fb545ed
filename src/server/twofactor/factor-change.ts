import type { IssuedSession } from '../auth/session-service';
import type { AuthContext } from '../core/auth-context';
import { AppError } from '../core/app-error';
import { ipLimiterKey } from '../core/client-address';
import type { RequestOrigin } from '../core/request-origin';
import { hashSecret } from '../lib/argon2';
import type { RandomBytes } from '../lib/random';
import { generateBackupCodes } from './backup-codes';
import type { CredentialRow, Executor } from './store';
import type { TwoFactorDeps } from './types';

export type FactorChange = {
  aal?: 1 | 2;
  event: '2fa.enabled' | '2fa.disabled' | '2fa.backup_codes_regenerated';
  details?: Record<string, string>;
};

/** Refuses any 2FA operation from a password-only session of an account that has 2FA on. */
export function requireAssuranceFor(auth: AuthContext, credential: CredentialRow | undefined) {
  if (credential?.enabledAt && auth.session.aal < 2) throw new AppError('TWO_FACTOR_REQUIRED');
}

/** The enabled credential of a session allowed to change it, or TWO_FACTOR_NOT_ENABLED. */
export async function enabledCredential(store: TwoFactorDeps['store'], auth: AuthContext): Promise<CredentialRow> {
  const credential = await store.getCredential(auth.user.id);
  requireAssuranceFor(auth, credential);
  if (!credential?.enabledAt) throw new AppError('TWO_FACTOR_NOT_ENABLED');
  return credential;
}

/**
 * The common end of every factor change, inside its transaction (ASVS 5.0 7.4.3): the next
 * credential epoch voids every other session, temp token and device cookie; this session gets a
 * new token (at `aal`); the change is audited.
 */
export async function finishFactorChange(
  deps: Pick<TwoFactorDeps, 'sessions' | 'audit'>,
  tx: Executor,
  auth: AuthContext,
  change: FactorChange,
  origin: RequestOrigin,
): Promise<IssuedSession> {
  const { issued, sessionsRevoked } = await deps.sessions.afterCredentialChange(tx, auth, change.aal === undefined ? {} : { aal: change.aal });
  await deps.audit.record(
    change.event,
    { userId: auth.user.id, origin: origin, details: { ...change.details, sessions_revoked: sessionsRevoked } },
    tx,
  );
  return issued;
}

/**
 * One hash at a time, in the client's own argon2 lane: ten at once would hold ten places of
 * the bounded queue per request, so a few parallel confirms from one address would be shed
 * (503) and a flood of them would fill the queue for everyone. It costs one user ten hash
 * times (about 0.3 s) instead of five, once per enable or regeneration.
 */
export async function hashBackupCodes(randomBytes: RandomBytes, origin: RequestOrigin) {
  const codes = generateBackupCodes(randomBytes);
  const clientKey = ipLimiterKey(origin.ip);
  const hashed: Array<{ selector: string; codeHash: string }> = [];
  for (const code of codes) hashed.push({ selector: code.selector, codeHash: await hashSecret(code.normalized, clientKey) });
  return { display: codes.map((c) => c.display), hashed };
}
