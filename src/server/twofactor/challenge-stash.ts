import { z } from 'zod';
import { giveBackAndRemove, type GiveBackStep } from '../limits/give-back';
import { orStoreUnavailable } from '../limits/limit-gate';
import type { AttemptStash } from '../limits/limiter-store';
import { takeStashedAttempt, type StashAttemptGates } from '../limits/take-stashed';
import type { CredentialRow } from './store';

/**
 * What the password step leaves in the shared stash for the second login step, under the temp
 * token's hash: everything the code is checked against, so that a TOTP verify needs no database
 * read before its one completing statement. The TOTP secret stays the AES-GCM envelope the
 * database holds (sealed with APP_ENC_KEY). No email or other profile data: the completing
 * statement reads those fresh.
 *
 * Nothing here is trusted to be current: the completing statement re-checks the token (not
 * consumed), the credential epoch (every factor, password and reset change moves it, so a stashed
 * credential is never used after such a change) and the credential being enabled.
 */
export interface StashedChallenge {
  challengeId: string;
  userId: string;
  credentialEpoch: number;
  expiresAtMs: number;
  credential: Pick<CredentialRow, 'userId' | 'secretCiphertext' | 'createdAt' | 'enabledAt' | 'lastUsedStep' | 'lastUsedAt'> | undefined;
}

const stashedShape = z.object({
  c: z.string(),
  u: z.string(),
  e: z.number().int(),
  x: z.number(),
  s: z.object({ k: z.string(), at: z.number(), on: z.number().nullable() }).nullable(),
});

const stashKey = (tokenHash: string) => `2fa_challenge:${tokenHash}`;

function encode(challenge: StashedChallenge): string {
  const { credential } = challenge;
  return JSON.stringify({
    c: challenge.challengeId,
    u: challenge.userId,
    e: challenge.credentialEpoch,
    x: challenge.expiresAtMs,
    s: credential ? { k: credential.secretCiphertext, at: credential.createdAt.getTime(), on: credential.enabledAt?.getTime() ?? null } : null,
  });
}

/** Undefined for a value this version cannot read: the caller treats it like a missing stash. */
function decode(value: string): StashedChallenge | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(value);
  } catch {
    return undefined;
  }
  const parsed = stashedShape.safeParse(raw);
  if (!parsed.success) return undefined;
  const { c, u, e, x, s } = parsed.data;
  return {
    challengeId: c,
    userId: u,
    credentialEpoch: e,
    expiresAtMs: x,
    credential: s
      ? // The replay guard is the completing statement's (last_used_step), never the stash's.
        { userId: u, secretCiphertext: s.k, createdAt: new Date(s.at), enabledAt: s.on === null ? null : new Date(s.on), lastUsedStep: null, lastUsedAt: null }
      : undefined,
  };
}

export type StashedAttempt =
  | { state: 'taken'; attempts: number; challenge: StashedChallenge }
  /** Gone, spent or expired: only the points every attempt pays were taken. */
  | { state: 'refused' }
  /** Handed over but unreadable by this version: the owner's points were taken with it. */
  | { state: 'unreadable'; owner: string };

/** The temp tokens' stash, on the limiter store's AttemptStash (Redis). */
export function createChallengeStash(stash: AttemptStash) {
  return {
    put: (tokenHash: string, challenge: StashedChallenge, ttlSeconds: number) =>
      orStoreUnavailable(
        stash.put(stashKey(tokenHash), encode(challenge), { owner: challenge.userId, expiresAtMs: challenge.expiresAtMs }, ttlSeconds),
      ),

    /**
     * Takes one of the token's attempts before its code is evaluated, with the throttle points
     * of `gates` (in the same round trip where the store allows: limits/take-stashed.ts). Refused
     * when the stash is gone, out of attempts, or expired by the application's clock (the store's
     * expiry runs on its own clock): the database then says why. `remaining` is what
     * takeStashedAttempt reports; a refusal of a throttle is thrown.
     */
    async take(tokenHash: string, maxAttempts: number, nowMs: number, gates: StashAttemptGates) {
      const { take, remaining } = await takeStashedAttempt(stash, stashKey(tokenHash), maxAttempts, nowMs, gates);
      if (take.state !== 'taken') return { attempt: { state: 'refused' } as StashedAttempt, remaining };
      const challenge = decode(take.value);
      const attempt: StashedAttempt =
        challenge && challenge.userId === take.owner && challenge.expiresAtMs > nowMs
          ? { state: 'taken', attempts: take.attempts, challenge }
          : { state: 'unreadable', owner: take.owner };
      return { attempt, remaining };
    },

    /** The token is consumed: its stash goes, with the success's give-back (in one command on Redis). */
    removeWithGiveBack: (tokenHash: string, steps: readonly GiveBackStep[], onRemoveFailed: (error: unknown) => void) =>
      giveBackAndRemove(stash, stashKey(tokenHash), steps, onRemoveFailed),
  };
}

export type ChallengeStash = ReturnType<typeof createChallengeStash>;
