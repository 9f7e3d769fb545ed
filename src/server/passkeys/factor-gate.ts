import type { SecondFactorGate } from '../auth/account-service';
import type { FactorSummary, PasskeyStore } from './store';

export type SecondFactorMethod = 'totp' | 'passkey' | 'backup_code';

export function methodsOf(factors: FactorSummary): SecondFactorMethod[] {
  const methods: SecondFactorMethod[] = [];
  if (factors.totp) methods.push('totp');
  if (factors.passkeys > 0) methods.push('passkey');
  if (factors.unusedBackupCodes > 0) methods.push('backup_code');
  return methods;
}

/**
 * The password step's view of the second factor once passkeys exist: an account with a passkey
 * (with or without TOTP) owes a second factor, and the temp token's answer names the methods the
 * account has, so the sign-in page offers only those.
 */
export function withPasskeyFactor(base: SecondFactorGate, store: Pick<PasskeyStore, 'factorSummary'>): SecondFactorGate {
  return {
    async isRequired(userId) {
      const factors = await store.factorSummary(userId);
      return factors.totp || factors.passkeys > 0;
    },
    async startChallenge(subject, origin) {
      const challenge = await base.startChallenge(subject, origin);
      if (!challenge) return undefined;
      return { ...challenge, methods: methodsOf(await store.factorSummary(subject.id)) };
    },
  };
}
