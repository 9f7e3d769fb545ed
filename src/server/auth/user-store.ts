import { eq } from 'drizzle-orm';
import type { Database } from '../db/client';
import { users } from '../db/schema';

export type UserRow = typeof users.$inferSelect;
export type Role = UserRow['role'];

const UNIQUE_VIOLATION = '23505';

function isUniqueViolation(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; current && depth < 4; depth += 1) {
    if ((current as { code?: unknown }).code === UNIQUE_VIOLATION) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

export interface UserStore {
  findByEmail(email: string): Promise<UserRow | undefined>;
  findById(id: string): Promise<UserRow | undefined>;
  /** Returns undefined when the email is taken (unique index), so callers need no pre-check race. */
  insert(input: { email: string; passwordHash: string; role: Role }): Promise<UserRow | undefined>;
  setRole(id: string, role: Role): Promise<void>;
  setPasswordHash(id: string, passwordHash: string, executor?: Pick<Database, 'update'>): Promise<void>;
}

export function createUserStore(db: Database): UserStore {
  return {
    async findByEmail(email) {
      const rows = await db.select().from(users).where(eq(users.email, email)).limit(1);
      return rows[0];
    },
    async findById(id) {
      const rows = await db.select().from(users).where(eq(users.id, id)).limit(1);
      return rows[0];
    },
    async insert(input) {
      try {
        const rows = await db.insert(users).values(input).returning();
        return rows[0];
      } catch (error) {
        if (isUniqueViolation(error)) return undefined;
        throw error;
      }
    },
    async setRole(id, role) {
      await db.update(users).set({ role, updatedAt: new Date() }).where(eq(users.id, id));
    },
    async setPasswordHash(id, passwordHash, executor = db) {
      await executor.update(users).set({ passwordHash, updatedAt: new Date() }).where(eq(users.id, id));
    },
  };
}
