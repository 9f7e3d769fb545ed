import { bigint, boolean, index, jsonb, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, tsz } from './columns';
import { users } from './users';
import { sessions } from './sessions';
import { twoFactorChallenges } from './two-factor';

/**
 * WebAuthn credentials (passkeys). Only public data: the credential id, the COSE public key as
 * the authenticator sent it, the signature counter and flags. `user_handle` is random per user
 * (never the email), the same on every credential of one user.
 */
export const passkeyCredentials = pgTable(
  'passkey_credentials',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** base64url credential id chosen by the authenticator. */
    credentialId: text('credential_id').notNull(),
    /** base64url COSE public key, stored as received. */
    publicKey: text('public_key').notNull(),
    /** base64url WebAuthn user.id given to the authenticator at registration. */
    userHandle: text('user_handle').notNull(),
    /** Highest signature counter seen; an assertion at or below it (when non-zero) is refused. */
    counter: bigint('counter', { mode: 'number' }).notNull().default(0),
    transports: jsonb('transports').$type<string[]>().notNull().default([]),
    deviceType: text('device_type').notNull(),
    backedUp: boolean('backed_up').notNull(),
    name: text('name').notNull(),
    createdAt: createdAt(),
    lastUsedAt: tsz('last_used_at'),
  },
  (t) => [uniqueIndex('passkey_credentials_credential_id_key').on(t.credentialId), index('passkey_credentials_user_id_idx').on(t.userId)],
);

/**
 * WebAuthn challenges: single-use, expiring, and bound to what asked for them (the session for
 * a registration, the temp token for a second factor; nothing for a passwordless sign-in).
 */
export const passkeyChallenges = pgTable(
  'passkey_challenges',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** base64url random challenge (public: the browser sees it). */
    challenge: text('challenge').notNull(),
    purpose: text('purpose', { enum: ['registration', 'second_factor', 'passwordless'] }).notNull(),
    userId: uuid('user_id').references(() => users.id, { onDelete: 'cascade' }),
    sessionId: uuid('session_id').references(() => sessions.id, { onDelete: 'cascade' }),
    tempChallengeId: uuid('temp_challenge_id').references(() => twoFactorChallenges.id, { onDelete: 'cascade' }),
    /** Registration only: the user handle the options handed to the authenticator. */
    userHandle: text('user_handle'),
    createdAt: createdAt(),
    expiresAt: tsz('expires_at').notNull(),
    consumedAt: tsz('consumed_at'),
  },
  (t) => [
    uniqueIndex('passkey_challenges_challenge_key').on(t.challenge),
    index('passkey_challenges_expires_at_idx').on(t.expiresAt),
    // A new challenge replaces all but its session's or temp token's newest few (challenge-store.ts).
    index('passkey_challenges_session_id_idx').on(t.sessionId),
    index('passkey_challenges_temp_challenge_id_idx').on(t.tempChallengeId),
  ],
);
