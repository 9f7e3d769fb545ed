import { and, desc, eq, gt, lte, ne, or, sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import { rememberedDevices, users } from '../db/schema';

export type RememberedDeviceRow = typeof rememberedDevices.$inferSelect;
export type NewRememberedDevice = typeof rememberedDevices.$inferInsert;

export interface RememberedDeviceStore {
  /**
   * Stores the device only while the user's credential epoch is still `device.credentialEpoch`
   * (one conditional statement), like a session: a factor change that lands between the code
   * check and this insert leaves nothing behind.
   */
  insertIfEpochCurrent(device: NewRememberedDevice): Promise<RememberedDeviceRow | undefined>;
  findByTokenHash(tokenHash: string): Promise<RememberedDeviceRow | undefined>;
  findById(id: string): Promise<RememberedDeviceRow | undefined>;
  touch(id: string, lastUsedAt: Date): Promise<void>;
  /** The user's devices under their current credential epoch that have not expired, newest first. */
  listLiveForUser(userId: string, now: Date): Promise<RememberedDeviceRow[]>;
  deleteById(id: string): Promise<void>;
  deleteByTokenHash(tokenHash: string): Promise<void>;
  /** Deletes one device only if it belongs to `userId`; false when there is no such device of theirs. */
  deleteForUser(userId: string, id: string): Promise<boolean>;
  /** Forgets every device of the user except the one with `keepTokenHash`; returns how many. */
  deleteOthersForUser(userId: string, keepTokenHash: string | undefined): Promise<number>;
  /** Housekeeping: rows of an old credential epoch or past expiry are dead weight. */
  deleteDeadForUser(userId: string, now: Date): Promise<void>;
}

export function createRememberedDeviceStore(db: Database): RememberedDeviceStore {
  return {
    async insertIfEpochCurrent(device) {
      const rows = await db
        .insert(rememberedDevices)
        .select(
          db
            .select({
              id: sql`gen_random_uuid()`.as('id'),
              userId: users.id,
              tokenHash: sql`${device.tokenHash}::text`.as('token_hash'),
              credentialEpoch: users.credentialEpoch,
              createdAt: sql`${(device.createdAt ?? new Date()).toISOString()}::timestamptz`.as('created_at'),
              expiresAt: sql`${device.expiresAt.toISOString()}::timestamptz`.as('expires_at'),
              lastUsedAt: sql`${device.lastUsedAt?.toISOString() ?? null}::timestamptz`.as('last_used_at'),
              ip: sql`${device.ip ?? null}::text`.as('ip'),
              userAgent: sql`${device.userAgent ?? null}::text`.as('user_agent'),
            })
            .from(users)
            .where(and(eq(users.id, device.userId), eq(users.credentialEpoch, device.credentialEpoch))),
        )
        .returning();
      return rows[0];
    },
    async findByTokenHash(tokenHash) {
      const rows = await db.select().from(rememberedDevices).where(eq(rememberedDevices.tokenHash, tokenHash)).limit(1);
      return rows[0];
    },
    async findById(id) {
      const rows = await db.select().from(rememberedDevices).where(eq(rememberedDevices.id, id)).limit(1);
      return rows[0];
    },
    async touch(id, lastUsedAt) {
      await db.update(rememberedDevices).set({ lastUsedAt }).where(eq(rememberedDevices.id, id));
    },
    async listLiveForUser(userId, now) {
      const rows = await db
        .select({ device: rememberedDevices })
        .from(rememberedDevices)
        .innerJoin(users, and(eq(users.id, rememberedDevices.userId), eq(users.credentialEpoch, rememberedDevices.credentialEpoch)))
        .where(and(eq(rememberedDevices.userId, userId), gt(rememberedDevices.expiresAt, now)))
        .orderBy(desc(rememberedDevices.createdAt))
        .limit(100);
      return rows.map((row) => row.device);
    },
    async deleteById(id) {
      await db.delete(rememberedDevices).where(eq(rememberedDevices.id, id));
    },
    async deleteByTokenHash(tokenHash) {
      await db.delete(rememberedDevices).where(eq(rememberedDevices.tokenHash, tokenHash));
    },
    async deleteForUser(userId, id) {
      const rows = await db
        .delete(rememberedDevices)
        .where(and(eq(rememberedDevices.id, id), eq(rememberedDevices.userId, userId)))
        .returning({ id: rememberedDevices.id });
      return rows.length > 0;
    },
    async deleteOthersForUser(userId, keepTokenHash) {
      const condition = keepTokenHash
        ? and(eq(rememberedDevices.userId, userId), ne(rememberedDevices.tokenHash, keepTokenHash))
        : eq(rememberedDevices.userId, userId);
      const rows = await db.delete(rememberedDevices).where(condition).returning({ id: rememberedDevices.id });
      return rows.length;
    },
    async deleteDeadForUser(userId, now) {
      const currentEpoch = db.select({ epoch: users.credentialEpoch }).from(users).where(eq(users.id, userId));
      await db
        .delete(rememberedDevices)
        .where(
          and(
            eq(rememberedDevices.userId, userId),
            or(lte(rememberedDevices.expiresAt, now), ne(rememberedDevices.credentialEpoch, sql`(${currentEpoch})`)),
          ),
        );
    },
  };
}
