import { generateRegistrationOptions, verifyRegistrationResponse, type RegistrationResponseJSON } from '@simplewebauthn/server';
import type { PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/server';
import type { AuditLog } from '../audit/service';
import type { RequestOrigin } from '../core/request-origin';
import type { IssuedSession, SessionService } from '../auth/session-service';
import { AppError } from '../core/app-error';
import { ipLimiterKey } from '../core/client-address';
import type { AuthContext } from '../core/auth-context';
import { hashSecret } from '../lib/argon2';
import type { Clock } from '../lib/clock';
import type { RandomBytes } from '../lib/random';
import type { Telemetry } from '../lib/telemetry';
import { generateBackupCodes } from '../twofactor/backup-codes';
import { consumeChallenge, newChallenge } from './challenges';
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


const MAX_PASSKEYS_PER_USER = 20;

export function createPasskeyService(deps: PasskeyDeps): PasskeyService {
  const { store, sessions, audit, telemetry, clock, randomBytes, relyingParty } = deps;
  const now = () => new Date(clock.nowMs());

  /** One hash at a time in the client's own argon2 lane, as TOTP enable does. */
  async function hashBackupCodes(origin: RequestOrigin) {
    const codes = generateBackupCodes(randomBytes);
    const lane = ipLimiterKey(origin.ip);
    const hashed: Array<{ selector: string; codeHash: string }> = [];
    for (const code of codes) hashed.push({ selector: code.selector, codeHash: await hashSecret(code.normalized, lane) });
    return { display: codes.map((c) => c.display), hashed };
  }

  async function verifyAttestation(auth: AuthContext, response: RegistrationResponseJSON, expectedOrigins: string[], origin: RequestOrigin) {
    const consumed = await consumeChallenge(store, clock, response.response?.clientDataJSON, {
      purpose: 'registration',
      sessionId: auth.session.id,
    });
    try {
      const verified = await verifyRegistrationResponse({
        response,
        expectedChallenge: consumed.challenge,
        expectedOrigin: expectedOrigins,
        expectedRPID: relyingParty.rpID,
        // Preferred, not required: an authenticator without user verification is still a possession factor.
        requireUserVerification: false,
      });
      if (verified.verified) return { info: verified.registrationInfo, userHandle: consumed.userHandle! };
    } catch {
      // The library's message may quote client data; only the fact is kept.
    }
    await audit.record('passkeys.registration.failed', { userId: auth.user.id, origin: origin, details: { reason: 'invalid_response' } });
    throw new AppError('PASSKEY_VERIFICATION_FAILED');
  }

  return {
    async registrationOptions(auth) {
      const existing = await store.listForUser(auth.user.id);
      if (existing.length >= MAX_PASSKEYS_PER_USER) throw new AppError('PASSKEY_LIMIT_REACHED');
      // One random handle per user, reused for every passkey: never the email or the user id.
      const userHandle = existing[0]?.userHandle ?? randomBytes(32).toString('base64url');
      const challenge = await newChallenge(store, deps, { purpose: 'registration', sessionId: auth.session.id }, {
        userId: auth.user.id,
        userHandle,
      });
      return generateRegistrationOptions({
        rpName: relyingParty.rpName,
        rpID: relyingParty.rpID,
        userName: auth.user.email,
        userID: Buffer.from(userHandle, 'base64url'),
        challenge,
        timeout: deps.challengeTtlSeconds * 1000,
        attestationType: 'none',
        excludeCredentials: existing.map((row) => ({ id: row.credentialId, transports: row.transports })),
        authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
      });
    },

    async verifyRegistration(auth, input, origin) {
      const userId = auth.user.id;
      const { info, userHandle } = await verifyAttestation(auth, input.response, input.expectedOrigins, origin);
      const before = await store.factorSummary(userId);
      const turnsOn = !before.totp && before.passkeys === 0;
      const codes = turnsOn ? await hashBackupCodes(origin) : undefined;
      const name = input.name ?? `Passkey ${before.passkeys + 1}`;
      const result = await store.transaction(async (tx) => {
        const passkey = await store.insert(tx, {
          userId,
          credentialId: info.credential.id,
          publicKey: Buffer.from(info.credential.publicKey).toString('base64url'),
          userHandle,
          counter: info.credential.counter,
          transports: info.credential.transports ?? [],
          deviceType: info.credentialDeviceType,
          backedUp: info.credentialBackedUp,
          name,
          createdAt: now(),
        });
        if (!passkey) throw new AppError('PASSKEY_ALREADY_REGISTERED');
        if (codes) await deps.backupCodes.replaceBackupCodes(tx, userId, codes.hashed, now());
        // A new credential ends every other session and temp token (ASVS 5.0 7.4.3); this session proved it: AAL2.
        const { issued, sessionsRevoked } = await sessions.afterCredentialChange(tx, auth, { aal: 2 });
        const context = { userId, origin: origin };
        await audit.record('passkeys.registered', { ...context, details: { backed_up: info.credentialBackedUp, sessions_revoked: sessionsRevoked } }, tx);
        if (turnsOn) await audit.record('2fa.enabled', { ...context, details: { method: 'passkey' } }, tx);
        return { passkey, issued };
      });
      telemetry.emit('passkeys.registered', { user_id: userId, request_id: origin.requestId });
      return { ...result, backupCodes: codes?.display };
    },

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
