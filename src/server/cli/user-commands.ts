import type { ProofgateServices } from '../app';
import { emailSchema } from '../auth/email';
import type { Role, UserRow } from '../auth/user-store';
import { isAppError } from '../core/app-error';
import { CliError, onlyFlags, parseFlags, requireFlag } from './args';
import { terminalIo, type CommandIo, type CommandResult } from './command';

const CLI_ORIGIN = { ip: 'cli', userAgent: 'proofgate-cli', requestId: 'cli' };

/**
 * user:create --email E [--admin]: creates the user (password from stdin or a hidden prompt),
 * or, when the email exists and --admin is given, promotes it.
 */
export async function userCreate(services: ProofgateServices, argv: string[], io: CommandIo = terminalIo): Promise<CommandResult> {
  const flags = parseFlags(argv);
  onlyFlags(flags, ['email', 'admin']);
  const parsedEmail = emailSchema.safeParse(requireFlag(flags, 'email'));
  if (!parsedEmail.success) throw new CliError('--email must be a valid email address');
  const email = parsedEmail.data;
  const admin = flags.admin === true;

  const existing = await services.users.findByEmail(email);
  if (existing) {
    if (!admin) throw new CliError(`${email} already exists (pass --admin to promote it)`);
    return setRole(services, existing, 'admin');
  }

  const password = await io.readSecret(`Password for ${email}: `);
  try {
    const user = await services.accounts.register({ email, password, role: admin ? 'admin' : 'user' }, CLI_ORIGIN);
    await services.audit.record('admin.user_created', { userId: user.id, origin: CLI_ORIGIN, details: { via: 'cli' } });
    return { output: `created ${admin ? 'admin' : 'user'} ${email}` };
  } catch (error) {
    if (isAppError(error)) throw new CliError(`${error.code}: ${error.detail ?? error.message}`);
    throw error;
  }
}

/** The one way a role changes: the operator at the CLI, audited as a security event of that user. */
async function setRole(services: ProofgateServices, user: UserRow, role: Role): Promise<CommandResult> {
  if (user.role === role) return { output: `${user.email} is already ${role === 'admin' ? 'an admin' : 'not an admin'}` };
  await services.users.setRole(user.id, role);
  await services.audit.record(role === 'admin' ? 'admin.role_granted' : 'admin.role_revoked', {
    userId: user.id,
    origin: CLI_ORIGIN,
    details: { via: 'cli' },
  });
  return { output: role === 'admin' ? `granted admin to ${user.email}` : `revoked admin from ${user.email}` };
}

async function existingUser(services: ProofgateServices, argv: string[]): Promise<UserRow> {
  const flags = parseFlags(argv);
  onlyFlags(flags, ['email']);
  const parsedEmail = emailSchema.safeParse(requireFlag(flags, 'email'));
  if (!parsedEmail.success) throw new CliError('--email must be a valid email address');
  const user = await services.users.findByEmail(parsedEmail.data);
  if (!user) throw new CliError(`no user ${parsedEmail.data}`);
  return user;
}

/** user:grant-admin --email E: admin rights come only from here (and user:create --admin). */
export async function userGrantAdmin(services: ProofgateServices, argv: string[]): Promise<CommandResult> {
  return setRole(services, await existingUser(services, argv), 'admin');
}

/** user:revoke-admin --email E: takes effect on the user's next request (roles are read per request). */
export async function userRevokeAdmin(services: ProofgateServices, argv: string[]): Promise<CommandResult> {
  return setRole(services, await existingUser(services, argv), 'user');
}

/** user:reset-2fa --email E: for a user who lost both device and backup codes. Audited; signs the user out everywhere. */
export async function userResetTwoFactor(services: ProofgateServices, argv: string[]): Promise<CommandResult> {
  const user = await existingUser(services, argv);
  const result = await services.twoFactor.adminReset(user.id, CLI_ORIGIN);
  return {
    output: `${result.removed ? 'removed two-factor credential and backup codes' : 'no two-factor credential was set'} for ${user.email}; revoked ${result.sessionsRevoked} session(s)`,
  };
}
