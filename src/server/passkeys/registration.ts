import type { RegistrationResponseJSON } from '@simplewebauthn/server';
import { loadWebAuthn } from './webauthn';
import type { PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/server';
import type { AuthContext } from '../core/auth-context';
import { AppError } from '../core/app-error';
import { ipLimiterKey } from '../core/client-address';
import type { RequestOrigin } from '../core/request-origin';
import { hashSecret } from '../lib/argon2';
import { generateBackupCodes } from '../twofactor/backup-codes';
import { consumeChallenge, newChallenge } from './challenges';
import type { PasskeyDeps, RegisteredPasskey } from './service';

const MAX_PASSKEYS_PER_USER = 20;

/** WebAuthn creation options for one more passkey of the signed-in user. */
export async function registrationOptions(deps: PasskeyDeps, auth: AuthContext): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const { store, relyingParty } = deps;
  const existing = await store.listForUser(auth.user.id);
  if (existing.length >= MAX_PASSKEYS_PER_USER) throw new AppError('PASSKEY_LIMIT_REACHED');
  // One random handle per user, reused for every passkey: never the email or the user id.
  const userHandle = existing[0]?.userHandle ?? deps.randomBytes(32).toString('base64url');
  const challenge = await newChallenge(store, deps, { purpose: 'registration', sessionId: auth.session.id }, {
    userId: auth.user.id,
    userHandle,
  });
  const { generateRegistrationOptions } = await loadWebAuthn();
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
}

/** One hash at a time in the client's own argon2 lane, as TOTP enable does. */
async function hashBackupCodes(deps: PasskeyDeps, origin: RequestOrigin) {
  const codes = generateBackupCodes(deps.randomBytes);
  const lane = ipLimiterKey(origin.ip);
  const hashed: Array<{ selector: string; codeHash: string }> = [];
  for (const code of codes) hashed.push({ selector: code.selector, codeHash: await hashSecret(code.normalized, lane) });
  return { display: codes.map((c) => c.display), hashed };
}

async function verifyAttestation(deps: PasskeyDeps, auth: AuthContext, response: RegistrationResponseJSON, expectedOrigins: string[], origin: RequestOrigin) {
  const consumed = await consumeChallenge(deps.store, deps.clock, response.response?.clientDataJSON, {
    purpose: 'registration',
    sessionId: auth.session.id,
  });
  try {
    const { verifyRegistrationResponse } = await loadWebAuthn();
    const verified = await verifyRegistrationResponse({
      response,
      expectedChallenge: consumed.challenge,
      expectedOrigin: expectedOrigins,
      expectedRPID: deps.relyingParty.rpID,
      // Preferred, not required: an authenticator without user verification is still a possession factor.
      requireUserVerification: false,
    });
    if (verified.verified) return { info: verified.registrationInfo, userHandle: consumed.userHandle! };
  } catch {
    // The library's message may quote client data; only the fact is kept.
  }
  await deps.audit.record('passkeys.registration.failed', { userId: auth.user.id, origin: origin, details: { reason: 'invalid_response' } });
  throw new AppError('PASSKEY_VERIFICATION_FAILED');
}

/** Stores a verified passkey; the account's first second factor turns two-factor on with backup codes. */
export async function verifyRegistration(
  deps: PasskeyDeps,
  auth: AuthContext,
  input: { response: RegistrationResponseJSON; name: string | undefined; expectedOrigins: string[] },
  origin: RequestOrigin,
): Promise<RegisteredPasskey> {
  const { store, audit } = deps;
  const now = () => new Date(deps.clock.nowMs());
  const userId = auth.user.id;
  const { info, userHandle } = await verifyAttestation(deps, auth, input.response, input.expectedOrigins, origin);
  const before = await store.factorSummary(userId);
  const turnsOn = !before.totp && before.passkeys === 0;
  const codes = turnsOn ? await hashBackupCodes(deps, origin) : undefined;
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
    const { issued, sessionsRevoked } = await deps.sessions.afterCredentialChange(tx, auth, { aal: 2 });
    const context = { userId, origin: origin };
    await audit.record('passkeys.registered', { ...context, details: { backed_up: info.credentialBackedUp, sessions_revoked: sessionsRevoked } }, tx);
    if (turnsOn) await audit.record('2fa.enabled', { ...context, details: { method: 'passkey' } }, tx);
    return { passkey, issued };
  });
  deps.telemetry.emit('passkeys.registered', { user_id: userId, request_id: origin.requestId });
  return { ...result, backupCodes: codes?.display };
}
