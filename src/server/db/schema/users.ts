import { sql } from 'drizzle-orm';
import { check, integer, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, tsz } from './columns';

/** Accounts: the sign-in identity and its credential epoch. */

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Normalised (trimmed, NFC, lower-case); the unique key for sign-in. */
    email: text('email').notNull(),
    /** argon2id PHC string; the raw password is never stored. */
    passwordHash: text('password_hash').notNull(),
    role: text('role', { enum: ['user', 'admin'] }).notNull().default('user'),
    /**
     * The credential epoch: changes in the same transaction as every password or factor change.
     * Sessions, temp tokens and device cookies carry the epoch they were issued under and are
     * void once it moves, so nothing issued from an old credential outlives its change.
     */
    credentialEpoch: integer('credential_epoch').notNull().default(0),
    createdAt: createdAt(),
    updatedAt: tsz('updated_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('users_email_key').on(t.email), check('users_role_check', sql`${t.role} in ('user', 'admin')`)],
);
