import type { SignInAccounts } from '../auth/account-service';
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
 * The password step's view of an account once passkeys exist: an account with a passkey (with
 * or without TOTP) owes a second factor — backup codes alone do not — and the temp token's
 * answer names the methods the account has, so the sign-in page offers only those.
 */
export function createSignInAccounts(store: Pick<PasskeyStore, 'accountByEmail'>): SignInAccounts {
  return {
    async findByEmail(email) {
      const account = await store.accountByEmail(email);
      if (!account) return undefined;
      const { user, factors } = account;
      return { user, secondFactor: { required: factors.totp || factors.passkeys > 0, methods: methodsOf(factors) } };
    },
  };
}
