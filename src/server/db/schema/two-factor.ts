import { bigint, index, integer, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, tsz } from './columns';
import { users } from './users';

/** One TOTP credential per user: pending (enabled_at null) until confirmed with a code. */
export const twoFactorCredentials = pgTable(
  'two_factor_credentials',
  {
    userId: uuid('user_id')
      .primaryKey()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** AES-256-GCM envelope `v1.<key id>.<iv>.<ciphertext>.<tag>`; never the base32 secret. */
    secretCiphertext: text('secret_ciphertext').notNull(),
    createdAt: createdAt(),
    enabledAt: tsz('enabled_at'),
    /** Highest accepted TOTP time step; a code at or below it is a replay (ASVS 2.8.4). */
    lastUsedStep: bigint('last_used_step', { mode: 'number' }),
    lastUsedAt: tsz('last_used_at'),
  },
);

export const twoFactorBackupCodes = pgTable(
  'two_factor_backup_codes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** Non-secret first group of the code: finds the one row to verify, so an attempt costs one hash. */
    selector: text('selector').notNull(),
    /** argon2id PHC string of the whole normalised code. */
    codeHash: text('code_hash').notNull(),
    createdAt: createdAt(),
    usedAt: tsz('used_at'),
  },
  (t) => [uniqueIndex('two_factor_backup_codes_user_selector_key').on(t.userId, t.selector)],
);

/**
 * The unused codes of the one set the last regeneration replaced, kept (hashes, as before) only so
 * such a code is answered BACKUP_CODE_REPLACED instead of a puzzling "not correct". It never
 * signs in; the next regeneration, turning 2FA off or an admin reset removes it.
 */
export const twoFactorReplacedBackupCodes = pgTable(
  'two_factor_replaced_backup_codes',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    selector: text('selector').notNull(),
    codeHash: text('code_hash').notNull(),
    replacedAt: tsz('replaced_at').notNull(),
  },
  (t) => [uniqueIndex('two_factor_replaced_backup_codes_user_selector_key').on(t.userId, t.selector)],
);

/** The temp token handed out by a password login when a second factor is still owed. */
export const twoFactorChallenges = pgTable(
  'two_factor_challenges',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    tokenHash: text('token_hash').notNull(),
    createdAt: createdAt(),
    expiresAt: tsz('expires_at').notNull(),
    consumedAt: tsz('consumed_at'),
    /** Wrong codes submitted against this token; at the limit the token is dead. */
    failedAttempts: integer('failed_attempts').notNull().default(0),
    /** users.credential_epoch at the password step: a later password or factor change voids the token. */
    credentialEpoch: integer('credential_epoch').notNull(),
    ip: text('ip'),
    userAgent: text('user_agent'),
  },
  (t) => [uniqueIndex('two_factor_challenges_token_hash_key').on(t.tokenHash), index('two_factor_challenges_user_id_idx').on(t.userId)],
);
