import { AppError } from '../core/app-error';
import type { TwoFactorStore } from './store';

/**
 * Why a temp token cannot be used: unknown, consumed, out of attempts, voided by a credential
 * change, or expired. Only the last is worth telling apart (the user may simply have been slow).
 * Shared by every second factor that spends a temp token (TOTP and backup codes, passkeys).
 */
export async function tempTokenRefusal(
  store: Pick<TwoFactorStore, 'findChallenge'>,
  tokenHash: string | undefined,
  maxFailures: number,
  nowMs: number,
): Promise<AppError> {
  const challenge = tokenHash ? await store.findChallenge(tokenHash) : undefined;
  const expired = challenge && !challenge.consumedAt && challenge.failedAttempts < maxFailures && challenge.expiresAt.getTime() <= nowMs;
  return new AppError(expired ? 'TEMP_TOKEN_EXPIRED' : 'TEMP_TOKEN_INVALID');
}
