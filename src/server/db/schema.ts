/**
 * The single source of the database shape. `npm run db:generate` turns changes here into
 * a new versioned SQL migration under ./migrations, which every driver applies at start-up.
 */

export * from './schema/users';
export * from './schema/sessions';
export * from './schema/two-factor';
export * from './schema/passkeys';
export * from './schema/audit';
export * from './schema/integrations';
export * from './schema/limits';
export * from './schema/mail';
export * from './schema/password-reset';
