import { and, asc, eq, gt, sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import { twoFactorCredentials } from '../db/schema';

/** The stored TOTP secrets as envelopes: key rotation re-encrypts them, status checks count them per key. */
export function createCiphertextStore(db: Database) {
  return {
    /** Key rotation: a page of credentials after `afterUserId`, in a stable order. */
    async listCredentialsPage(afterUserId: string | undefined, limit: number) {
      return db
        .select({ userId: twoFactorCredentials.userId, secretCiphertext: twoFactorCredentials.secretCiphertext })
        .from(twoFactorCredentials)
        .where(afterUserId ? gt(twoFactorCredentials.userId, afterUserId) : undefined)
        .orderBy(asc(twoFactorCredentials.userId))
        .limit(limit);
    },

    /** Swaps one ciphertext for its re-encryption, only if nobody changed the row meanwhile. */
    async replaceCiphertext(userId: string, previous: string, next: string): Promise<boolean> {
      const rows = await db
        .update(twoFactorCredentials)
        .set({ secretCiphertext: next })
        .where(and(eq(twoFactorCredentials.userId, userId), eq(twoFactorCredentials.secretCiphertext, previous)))
        .returning({ userId: twoFactorCredentials.userId });
      return rows.length === 1;
    },

    /** Stored secrets per key id (the second part of the envelope), for status checks. */
    async countCredentialsByKeyId(): Promise<Array<{ keyId: string; count: number }>> {
      const rows = await db
        .select({
          keyId: sql<string>`split_part(${twoFactorCredentials.secretCiphertext}, '.', 2)`,
          count: sql<number>`count(*)::int`,
        })
        .from(twoFactorCredentials)
        .groupBy(sql`1`);
      return rows;
    },
  };
}
