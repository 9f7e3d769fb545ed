import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import { loadWebAuthn } from './webauthn';
import type { AuditLog } from '../audit/service';
import { AppError } from '../core/app-error';
import type { RequestOrigin } from '../core/request-origin';
import type { Clock } from '../lib/clock';
import type { Telemetry } from '../lib/telemetry';
import type { RelyingParty } from './relying-party';
import type { PasskeyRow, PasskeyStore } from './store';

export type SignInVia = 'login' | 'passwordless';

export interface AssertionCheck {
  /** Audits a refused passkey sign-in and throws the matching error. */
  fail(userId: string | null, reason: string, via: SignInVia, origin: RequestOrigin, code: 'PASSKEY_VERIFICATION_FAILED' | 'PASSKEY_COUNTER_REGRESSED'): Promise<never>;
  /**
   * Verifies the signature with the library, then advances the stored counter in one
   * conditional statement. The library is given counter 0 so that only a response with a valid
   * signature can be reported as a clone: a forged low counter is just a bad signature.
   */
  check(passkey: PasskeyRow, input: { response: AuthenticationResponseJSON; challenge: string; expectedOrigins: string[] }, via: SignInVia, origin: RequestOrigin): Promise<void>;
}

export function createAssertionCheck(deps: { store: PasskeyStore; audit: AuditLog; telemetry: Telemetry; clock: Clock; relyingParty: RelyingParty }): AssertionCheck {
  const { store, audit, telemetry } = deps;

  const fail: AssertionCheck['fail'] = async (userId, reason, via, origin, code) => {
    await audit.record('2fa.verify.failed', { userId, origin: origin, details: { method: 'passkey', reason, via } });
    telemetry.emit('2fa.verified', { user_id: userId, method: 'passkey', outcome: reason, request_id: origin.requestId });
    throw new AppError(code);
  };

  return {
    fail,
    async check(passkey, input, via, origin) {
      let info: { newCounter: number; credentialBackedUp: boolean } | undefined;
      const { verifyAuthenticationResponse } = await loadWebAuthn();
      try {
        const verified = await verifyAuthenticationResponse({
          response: input.response,
          expectedChallenge: input.challenge,
          expectedOrigin: input.expectedOrigins,
          expectedRPID: deps.relyingParty.rpID,
          credential: { id: passkey.credentialId, publicKey: new Uint8Array(Buffer.from(passkey.publicKey, 'base64url')), counter: 0, transports: passkey.transports as never },
          // Passwordless is the whole sign-in: the authenticator must have verified the user (PIN, biometrics).
          requireUserVerification: via === 'passwordless',
        });
        if (verified.verified) info = verified.authenticationInfo;
      } catch {
        // The library's message may quote client data; only the fact is kept.
      }
      if (!info) return fail(passkey.userId, 'invalid_assertion', via, origin, 'PASSKEY_VERIFICATION_FAILED');
      if (!(await store.advanceCounter(passkey.id, info.newCounter, info.credentialBackedUp, new Date(deps.clock.nowMs())))) {
        await audit.record('passkeys.counter_regressed', { userId: passkey.userId, origin: origin, details: { count: info.newCounter, via } });
        return fail(passkey.userId, 'counter_regressed', via, origin, 'PASSKEY_COUNTER_REGRESSED');
      }
    },
  };
}
