import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
  varchar,
} from 'drizzle-orm/pg-core';

/**
 * The single source of the database shape. `npm run db:generate` turns changes here into
 * a new versioned SQL migration under ./migrations, which every driver applies at start-up.
 */

const createdAt = () => timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();
const tsz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

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
  (t) => [uniqueIndex('passkey_challenges_challenge_key').on(t.challenge), index('passkey_challenges_expires_at_idx').on(t.expiresAt)],
);

/** Audit trail (ASVS 7.1): who did what from where. Never codes, secrets or tokens. */
export const securityEvents = pgTable(
  'security_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    userId: uuid('user_id').references(() => users.id, { onDelete: 'set null' }),
    type: text('type').notNull(),
    ip: text('ip'),
    userAgent: text('user_agent'),
    requestId: text('request_id'),
    /** Allow-listed, non-secret details (e.g. limiter name, retry_after, key id). */
    details: jsonb('details').$type<Record<string, string | number | boolean | null>>().notNull().default({}),
    createdAt: createdAt(),
  },
  (t) => [index('security_events_user_created_idx').on(t.userId, t.createdAt), index('security_events_type_idx').on(t.type)],
);

export const integrationUsageEvents = pgTable(
  'integration_usage_events',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    integration: text('integration').notNull(),
    action: text('action').notNull(),
    status: text('status', { enum: ['success', 'failed', 'not_configured'] }).notNull(),
    traceId: text('trace_id').notNull(),
    providerReference: text('provider_reference'),
    providerErrorCode: text('provider_error_code'),
    /** Delivery status reported later by the provider's status callback. */
    deliveryStatus: text('delivery_status'),
    deliveryUpdatedAt: tsz('delivery_updated_at'),
    latencyMs: integer('latency_ms'),
    actorUserId: uuid('actor_user_id').references(() => users.id, { onDelete: 'set null' }),
    /** Destination with all but the country code and last digits masked: +1*******0006. */
    maskedDestination: text('masked_destination'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('integration_usage_events_trace_id_key').on(t.traceId),
    index('integration_usage_events_integration_created_idx').on(t.integration, t.createdAt),
    index('integration_usage_events_provider_reference_idx').on(t.providerReference),
    check('integration_usage_events_status_check', sql`${t.status} in ('success', 'failed', 'not_configured')`),
  ],
);

/** Last credential check per integration, shared by every instance. */
export const integrationChecks = pgTable('integration_checks', {
  integration: text('integration').primaryKey(),
  checkedAt: tsz('checked_at').notNull(),
  ok: smallint('ok').notNull(),
  errorCode: text('error_code'),
  /**
   * Which settings the check was made with (a truncated, domain-separated SHA-256 of the
   * account, credential and base URL; never the secret): a result obtained with other
   * credentials, e.g. before a restart with a rotated token, is not reused.
   */
  credentialFingerprint: text('credential_fingerprint'),
});

/**
 * Counters of rate-limiter-flexible's PostgreSQL store (used when DATABASE_URL is set and
 * REDIS_URL is not). Its shape is the library's; the migration owns it so start-up never
 * races the library's own CREATE TABLE. `expire` is epoch milliseconds.
 */
export const rateLimits = pgTable('rate_limits', {
  key: varchar('key', { length: 255 }).primaryKey(),
  points: integer('points').notNull().default(0),
  expire: bigint('expire', { mode: 'number' }),
});

/**
 * The mail outbox: a notice or reset mail is written here (in the transaction of the change it
 * reports, when there is one) and sent by the outbox worker, with retries, so a slow or failing
 * relay never blocks or fails the action. The rendered message is sealed with the app key (a
 * reset link is a bearer secret) and wiped once sent.
 */
export const mailOutbox = pgTable(
  'mail_outbox',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Who receives it: the address is read from users at send time. */
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    /** secret-box envelope of the rendered message; empty once sent or given up. */
    payload: text('payload').notNull(),
    status: text('status', { enum: ['pending', 'sent', 'failed'] }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: tsz('next_attempt_at').notNull(),
    /** Set while a worker sends the row; another worker may take it once this has passed. */
    lockedUntil: tsz('locked_until'),
    lastErrorCode: text('last_error_code'),
    lastTraceId: text('last_trace_id'),
    sentAt: tsz('sent_at'),
    createdAt: createdAt(),
  },
  (t) => [
    index('mail_outbox_due_idx').on(t.status, t.nextAttemptAt),
    check('mail_outbox_status_check', sql`${t.status} in ('pending', 'sent', 'failed')`),
  ],
);

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
