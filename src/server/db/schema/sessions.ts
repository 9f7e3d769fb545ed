import { sql } from 'drizzle-orm';
import { boolean, check, index, integer, pgTable, smallint, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, tsz } from './columns';
import { users } from './users';

/** Server-side sessions and the browsers remembered for the second factor. */

export const sessions = pgTable(
  'sessions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** SHA-256 of the 256-bit cookie token, hex. The token itself exists only in the browser. */
    tokenHash: text('token_hash').notNull(),
    /** Authenticator assurance level (NIST SP 800-63B): 1 = password, 2 = password + second factor. */
    aal: smallint('aal').notNull(),
    /** When the user last proved a credential; "fresh session" checks compare against it. */
    authenticatedAt: tsz('authenticated_at').notNull(),
    /** users.credential_epoch when the session was issued; a mismatch makes it invalid at lookup. */
    credentialEpoch: integer('credential_epoch').notNull(),
    lastSeenAt: tsz('last_seen_at').notNull(),
    absoluteExpiresAt: tsz('absolute_expires_at').notNull(),
    ip: text('ip'),
    userAgent: text('user_agent'),
    createdAt: createdAt(),
    /**
     * AAL2 reached by a remembered device instead of a code typed at this sign-in: enough for
     * the account's own routes, never for admin routes that demand a real second factor.
     */
    secondFactorRemembered: boolean('second_factor_remembered').notNull().default(false),
  },
  (t) => [
    uniqueIndex('sessions_token_hash_key').on(t.tokenHash),
    index('sessions_user_id_idx').on(t.userId),
    check('sessions_aal_check', sql`${t.aal} in (1, 2)`),
  ],
);

/**
 * "Remember this browser": a 256-bit token in its own httpOnly cookie lets this browser skip
 * the second factor at sign-in (never the password) until expires_at. Stored as SHA-256 only,
 * and bound to the credential epoch, so a password or factor change forgets every device.
 */
export const rememberedDevices = pgTable(
  'remembered_devices',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    tokenHash: text('token_hash').notNull(),
    /** users.credential_epoch when remembered; a mismatch means the device is forgotten. */
    credentialEpoch: integer('credential_epoch').notNull(),
    createdAt: createdAt(),
    expiresAt: tsz('expires_at').notNull(),
    lastUsedAt: tsz('last_used_at'),
    ip: text('ip'),
    userAgent: text('user_agent'),
  },
  (t) => [uniqueIndex('remembered_devices_token_hash_key').on(t.tokenHash), index('remembered_devices_user_id_idx').on(t.userId)],
);
