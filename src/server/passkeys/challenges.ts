import { loadWebAuthnHelpers } from './webauthn';
import { AppError } from '../core/app-error';
import type { Clock } from '../lib/clock';
import type { RandomBytes } from '../lib/random';
import type { ChallengeBinding, PasskeyStore } from './store';

/**
 * Issues a 256-bit challenge bound to `binding`, valid for the temp token's TTL. Returned as
 * bytes: the library base64url-encodes them into the options, which is what clientDataJSON echoes.
 */
export async function newChallenge(
  store: PasskeyStore,
  deps: { clock: Clock; randomBytes: RandomBytes; challengeTtlSeconds: number },
  binding: ChallengeBinding,
  owner: { userId: string | null; userHandle: string | null } = { userId: null, userHandle: null },
): Promise<Uint8Array<ArrayBuffer>> {
  const bytes = new Uint8Array(deps.randomBytes(32));
  const challenge = Buffer.from(bytes).toString('base64url');
  const now = new Date(deps.clock.nowMs());
  await store.insertChallenge({ challenge, binding, ...owner, now, expiresAt: new Date(now.getTime() + deps.challengeTtlSeconds * 1000) });
  return bytes;
}

/** The challenge a client response signed, read from its clientDataJSON; undefined when unreadable. */
async function challengeOf(clientDataJSON: unknown): Promise<string | undefined> {
  if (typeof clientDataJSON !== 'string' || clientDataJSON.length === 0) return undefined;
  const { decodeClientDataJSON } = await loadWebAuthnHelpers();
  try {
    const { challenge } = decodeClientDataJSON(clientDataJSON);
    return typeof challenge === 'string' && challenge.length > 0 && challenge.length <= 128 ? challenge : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Consumes the challenge a response answers, before anything else about the response is
 * checked: it is single-use whatever the outcome, and a challenge issued to another session or
 * sign-in is not found at all (PASSKEY_CHALLENGE_INVALID). A stale one is PASSKEY_CHALLENGE_EXPIRED.
 */
export async function consumeChallenge(store: PasskeyStore, clock: Clock, clientDataJSON: unknown, binding: ChallengeBinding) {
  const challenge = await challengeOf(clientDataJSON);
  const consumed = challenge ? await store.consumeChallenge(challenge, binding, new Date(clock.nowMs())) : undefined;
  if (!challenge || !consumed) throw new AppError('PASSKEY_CHALLENGE_INVALID');
  if (consumed.expiresAt.getTime() <= clock.nowMs()) throw new AppError('PASSKEY_CHALLENGE_EXPIRED');
  return { challenge, userId: consumed.userId, userHandle: consumed.userHandle };
}
