import { and, desc, eq, isNull, lte, notInArray, or } from 'drizzle-orm';
import type { Database } from '../db/client';
import { passkeyChallenges } from '../db/schema';

/** What a challenge is bound to; a consume must name the same binding or it finds nothing. */
export type ChallengeBinding =
  | { purpose: 'registration'; sessionId: string }
  | { purpose: 'second_factor'; tempChallengeId: string }
  | { purpose: 'passwordless' };

function bindingCondition(binding: ChallengeBinding) {
  const purpose = eq(passkeyChallenges.purpose, binding.purpose);
  if (binding.purpose === 'registration') return and(purpose, eq(passkeyChallenges.sessionId, binding.sessionId));
  if (binding.purpose === 'second_factor') return and(purpose, eq(passkeyChallenges.tempChallengeId, binding.tempChallengeId));
  return purpose;
}

/**
 * How many unused challenges a session (adding a passkey) or a temp token (the second factor)
 * keeps: a ceremony started in another tab or window still completes after a newer options
 * request, and however often one asks, it stores at most this many rows.
 */
export const CHALLENGES_KEPT_PER_BINDING = 3;

/**
 * The binding's challenges that go when a new one is stored: the used ones, and all but the
 * newest CHALLENGES_KEPT_PER_BINDING - 1 unused ones (equal times, as within one millisecond,
 * are ordered by id, so exactly that many stay).
 */
function olderThanKept(db: Database, binding: ChallengeBinding) {
  const newestUnused = db
    .select({ id: passkeyChallenges.id })
    .from(passkeyChallenges)
    .where(and(bindingCondition(binding), isNull(passkeyChallenges.consumedAt)))
    .orderBy(desc(passkeyChallenges.createdAt), desc(passkeyChallenges.id))
    .limit(CHALLENGES_KEPT_PER_BINDING - 1);
  return and(bindingCondition(binding), notInArray(passkeyChallenges.id, newestUnused));
}

/** WebAuthn challenges: issued bound to a session or sign-in, consumed once under the same binding. */
export function createPasskeyChallengeStore(db: Database) {
  return {
    async insertChallenge(input: {
      challenge: string;
      binding: ChallengeBinding;
      userId: string | null;
      userHandle: string | null;
      now: Date;
      expiresAt: Date;
    }): Promise<void> {
      const { binding } = input;
      // Housekeeping on the way: expired challenges are useless to everyone. A session or a temp
      // token keeps its newest unused ones, this one included, up to CHALLENGES_KEPT_PER_BINDING;
      // an older one is deleted, and a ceremony that answers it gets PASSKEY_CHALLENGE_INVALID.
      // Passwordless ones are bound to nothing; the sign-in options throttles bound those.
      const expired = lte(passkeyChallenges.expiresAt, input.now);
      await db.delete(passkeyChallenges).where(binding.purpose === 'passwordless' ? expired : or(expired, olderThanKept(db, binding)));
      await db.insert(passkeyChallenges).values({
        challenge: input.challenge,
        purpose: binding.purpose,
        userId: input.userId,
        sessionId: binding.purpose === 'registration' ? binding.sessionId : null,
        tempChallengeId: binding.purpose === 'second_factor' ? binding.tempChallengeId : null,
        userHandle: input.userHandle,
        createdAt: input.now,
        expiresAt: input.expiresAt,
      });
    },

    /**
     * Consumes a challenge under its binding, live or not, in one statement: a second use (or a
     * use from another session or sign-in) finds nothing. The caller refuses an expired one.
     */
    async consumeChallenge(
      challenge: string,
      binding: ChallengeBinding,
      now: Date,
    ): Promise<{ expiresAt: Date; userId: string | null; userHandle: string | null } | undefined> {
      const rows = await db
        .update(passkeyChallenges)
        .set({ consumedAt: now })
        .where(and(eq(passkeyChallenges.challenge, challenge), isNull(passkeyChallenges.consumedAt), bindingCondition(binding)))
        .returning({ expiresAt: passkeyChallenges.expiresAt, userId: passkeyChallenges.userId, userHandle: passkeyChallenges.userHandle });
      return rows[0];
    },
  };
}
