import { dbBackup } from '../cli/db-commands';
import type { Command } from '../cli/command';
import { keysCheck, keysRotate } from '../cli/key-commands';
import { userCreate, userGrantAdmin, userResetTwoFactor, userRevokeAdmin } from '../cli/user-commands';

/**
 * The commands a running server runs for the CLI over the admin channel: every CLI command
 * that works on the services. Kept apart from cli/main.ts (which runs the CLI when imported);
 * test/http/embedded-ops.test.ts checks that the two lists agree. db:restore is not here:
 * it replaces the database folder, so it runs only with no server.
 */
export const adminChannelCommands: Record<string, Command> = {
  'user:create': userCreate,
  'user:grant-admin': userGrantAdmin,
  'user:revoke-admin': userRevokeAdmin,
  'user:reset-2fa': userResetTwoFactor,
  'keys:rotate': keysRotate,
  'keys:check': keysCheck,
  'db:backup': dbBackup,
};
