import type { PublicKeyCredentialCreationOptionsJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import type { AuditLog } from '../audit/service';
import type { RequestOrigin } from '../core/request-origin';
import type { IssuedSession, SessionService } from '../auth/session-service';
import { AppError } from '../core/app-error';
import type { AuthContext } from '../core/auth-context';
import type { Clock } from '../lib/clock';
import type { RandomBytes } from '../lib/random';
import type { Telemetry } from '../lib/telemetry';
import { registrationOptions, verifyRegistration } from './registration';
import type { RelyingParty } from './relying-party';
import type { Executor, PasskeyRow, PasskeyStore } from './store';

export interface PasskeyDeps {
  store: PasskeyStore;
  /** Replaces a user's backup codes (the twofactor capability's store). */
  backupCodes: { replaceBackupCodes(tx: Executor, userId: string, codes: ReadonlyArray<{ selector: string; codeHash: string }>, now: Date): Promise<void> };
  sessions: SessionService;
  audit: AuditLog;
  telemetry: Telemetry;
  clock: Clock;
  randomBytes: RandomBytes;
  relyingParty: RelyingParty;
  challengeTtlSeconds: number;
}

export interface RegisteredPasskey {
  passkey: PasskeyRow;
  /** Set only when this passkey turned two-factor on: shown once, like after TOTP confirm. */
  backupCodes: string[] | undefined;
  issued: IssuedSession;
}

export interface PasskeyService {
  registrationOptions(auth: AuthContext): Promise<PublicKeyCredentialCreationOptionsJSON>;
  verifyRegistration(
    auth: AuthContext,
    input: { response: RegistrationResponseJSON; name: string | undefined; expectedOrigins: string[] },
    origin: RequestOrigin,
  ): Promise<RegisteredPasskey>;
  list(auth: AuthContext): Promise<PasskeyRow[]>;
  rename(auth: AuthContext, id: string, name: string, origin: RequestOrigin): Promise<PasskeyRow>;
  remove(auth: AuthContext, id: string, origin: RequestOrigin): Promise<{ issued: IssuedSession; twoFactorDisabled: boolean }>;
}

/** Adding, listing, renaming and removing the signed-in user's passkeys. */
export function createPasskeyService(deps: PasskeyDeps): PasskeyService {
  const { store, sessions, audit, telemetry } = deps;

  return {
    registrationOptions: (auth) => registrationOptions(deps, auth),
    verifyRegistration: (auth, input, origin) => verifyRegistration(deps, auth, input, origin),

    async list(auth) {
      return store.listForUser(auth.user.id);
    },

    async rename(auth, id, name, origin) {
      const renamed = await store.rename(auth.user.id, id, name);
      if (!renamed) throw new AppError('PASSKEY_NOT_FOUND');
      await audit.record('passkeys.renamed', { userId: auth.user.id, origin: origin });
      return renamed;
    },

    /**
     * Removing the last factor is allowed and turns two-factor off, by the same rules as disabling
     * TOTP (fresh session, backup codes deleted, this session back to AAL1, every other session
     * ended): the fresh session proved the password moments ago, and refusing would leave a user
     * with a lost passkey no way out but support.
     */
    async remove(auth, id, origin) {
      const userId = auth.user.id;
      const result = await store.transaction(async (tx) => {
        if (!(await store.remove(tx, userId, id))) throw new AppError('PASSKEY_NOT_FOUND');
        const left = await store.factorSummary(userId, tx);
        const twoFactorDisabled = !left.totp && left.passkeys === 0;
        if (twoFactorDisabled) await store.deleteBackupCodes(tx, userId);
        const { issued, sessionsRevoked } = await sessions.afterCredentialChange(tx, auth, twoFactorDisabled ? { aal: 1 } : {});
        const context = { userId, origin: origin };
        await audit.record('passkeys.removed', { ...context, details: { sessions_revoked: sessionsRevoked } }, tx);
        if (twoFactorDisabled) await audit.record('2fa.disabled', { ...context, details: { method: 'passkey', reason: 'last_passkey_removed' } }, tx);
        return { issued, twoFactorDisabled };
      });
      telemetry.emit('passkeys.removed', { user_id: userId, request_id: origin.requestId });
      return result;
    },
  };
}
