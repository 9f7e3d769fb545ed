import { index, integer, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { createdAt, tsz } from './columns';
import { users } from './users';

/**
 * Password reset tokens: only the SHA-256 of the 256-bit token is stored. A token is bound to
 * the credential epoch it was issued under, so any password or factor change voids it.
 */
export const passwordResetTokens = pgTable(
  'password_reset_tokens',
  {
    tokenHash: text('token_hash').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    credentialEpoch: integer('credential_epoch').notNull(),
    expiresAt: tsz('expires_at').notNull(),
    usedAt: tsz('used_at'),
    createdAt: createdAt(),
  },
  (t) => [index('password_reset_tokens_user_idx').on(t.userId)],
);
