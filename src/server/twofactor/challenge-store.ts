import { and, eq, isNotNull, lt, or, sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import { twoFactorChallenges, users } from '../db/schema';

export type ChallengeRow = typeof twoFactorChallenges.$inferSelect;

/** Temp tokens of the password step: stored, and looked up when one is refused. */
export function createChallengeStore(db: Database) {
  return {
    /**
     * Stores a temp token only while its user's credential epoch is still `challenge.credentialEpoch`
     * (one conditional statement) and resolves to its id; undefined when a password or factor
     * change moved the epoch meanwhile.
     */
    async insertChallengeIfEpochCurrent(challenge: typeof twoFactorChallenges.$inferInsert & { createdAt: Date }): Promise<string | undefined> {
      // Housekeeping on the way: the user's finished, expired or superseded challenges are useless.
      await db
        .delete(twoFactorChallenges)
        .where(
          and(
            eq(twoFactorChallenges.userId, challenge.userId),
            or(
              isNotNull(twoFactorChallenges.consumedAt),
              lt(twoFactorChallenges.expiresAt, challenge.createdAt),
              lt(twoFactorChallenges.credentialEpoch, challenge.credentialEpoch),
            ),
          ),
        );
      const rows = await db
        .insert(twoFactorChallenges)
        .select(
          db
            .select({
              id: sql`gen_random_uuid()`.as('id'),
              userId: users.id,
              tokenHash: sql`${challenge.tokenHash}::text`.as('token_hash'),
              createdAt: sql`${challenge.createdAt.toISOString()}::timestamptz`.as('created_at'),
              expiresAt: sql`${challenge.expiresAt.toISOString()}::timestamptz`.as('expires_at'),
              consumedAt: sql`null::timestamptz`.as('consumed_at'),
              failedAttempts: sql`0`.as('failed_attempts'),
              credentialEpoch: users.credentialEpoch,
              ip: sql`${challenge.ip ?? null}::text`.as('ip'),
              userAgent: sql`${challenge.userAgent ?? null}::text`.as('user_agent'),
            })
            .from(users)
            .where(and(eq(users.id, challenge.userId), eq(users.credentialEpoch, challenge.credentialEpoch))),
        )
        .returning({ id: twoFactorChallenges.id });
      return rows[0]?.id;
    },

    /** Why a temp token was refused (unknown, consumed, out of attempts or expired): the rare path. */
    async findChallenge(tokenHash: string): Promise<ChallengeRow | undefined> {
      const rows = await db.select().from(twoFactorChallenges).where(eq(twoFactorChallenges.tokenHash, tokenHash)).limit(1);
      return rows[0];
    },
  };
}
