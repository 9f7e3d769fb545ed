import { pathToFileURL } from 'node:url';
import { ConfigError, loadConfig } from '../config';
import { CliError } from './args';
import type { CommandSpec } from './command';
import { dbBackup, dbRestore } from './db-commands';
import { dispatchCommand } from './dispatch';
import { keysCheck, keysRotate } from './key-commands';
import { userCreate, userGrantAdmin, userResetTwoFactor, userRevokeAdmin } from './user-commands';

/**
 * Each command: `usage` is its line in the command list; `help` is what `help <command>` and
 * `<command> --help` print under it: every flag, where input comes from, the exit codes. `help`
 * is optional in the type so a branch adding a command still compiles, but
 * test/unit/cli-help.test.ts requires one naming each of the command's flags.
 */
export const commands: Record<string, CommandSpec & { help?: string }> = {
  'user:create': {
    run: userCreate,
    usage: 'user:create --email <email> [--admin]   create (password from stdin or prompt) or promote',
    help: `Creates a user. The password is read from stdin when it is piped, otherwise from a hidden prompt;
it is never a flag, so it stays out of shell history and the process list.

Options:
  --email <email>  the account's email address (required)
  --admin          make the new user an admin; for an existing user, promote it (audited)

Exit codes: 0 created or promoted, 1 refused (the reason is printed), 2 unknown command.`,
  },
  'user:grant-admin': {
    run: userGrantAdmin,
    usage: 'user:grant-admin --email <email>        make an existing user an admin (audited)',
    help: `Makes an existing user an admin. Admin rights come only from this CLI; the grant is audited as a
security event of that user.

Options:
  --email <email>  the user's email address (required)`,
  },
  'user:revoke-admin': {
    run: userRevokeAdmin,
    usage: 'user:revoke-admin --email <email>       take admin rights away (audited)',
    help: `Takes admin rights away from a user. It takes effect on the user's next request (roles are read
per request) and is audited.

Options:
  --email <email>  the user's email address (required)`,
  },
  'user:reset-2fa': {
    run: userResetTwoFactor,
    usage: 'user:reset-2fa --email <email>          remove 2FA for a user who lost device and codes',
    help: `Removes the second factor (authenticator and backup codes) of a user who lost both, and signs
the user out everywhere. Audited. Check who is asking before you run it: this is the recovery path
an attacker would like to talk an operator into.

Options:
  --email <email>  the user's email address (required)`,
  },
  'keys:rotate': {
    run: keysRotate,
    usage: 'keys:rotate [--limit <n>]               re-encrypt TOTP secrets under APP_ENC_KEY',
    help: `Re-encrypts every stored TOTP secret under APP_ENC_KEY, decrypting with the keys in
APP_ENC_KEYS_OLD; secrets already under the current key are counted, not rewritten, so it is
safe to run again. Refused while APP_ENC_KEY is unset. Audited.

Options:
  --limit <n>  stop after n secrets (a positive whole number); run again to continue

Exit codes: 0 done, 1 some secrets could not be rotated (each is listed).`,
  },
  'keys:check': {
    run: keysCheck,
    usage: 'keys:check                              verify every stored secret decrypts',
    help: `Decrypts every stored TOTP secret with the configured keys and lists the key ids in use.

Options: none.

Exit codes: 0 every secret decrypts, 1 some do not (each is listed).`,
  },
  'db:backup': {
    run: dbBackup,
    usage: 'db:backup FILE [--force]                back up the embedded database (also while the server runs)',
    help: `Writes a consistent copy of the embedded database (DATA_DIR) to FILE, mode 0600. While a server
runs on DATA_DIR, the server takes the copy and this command writes it. The copy does not hold
APP_ENC_KEY: keep the key apart from the backup. With DATABASE_URL set, use pg_dump (docs/operations.md).

Options:
  FILE     where to write the backup (relative to the current directory)
  --force  overwrite FILE if it exists`,
  },
  'db:restore': {
    offline: dbRestore,
    usage: 'db:restore FILE [--force]               restore a db:backup file (server stopped; --force replaces a database)',
    help: `Replaces the embedded database with a db:backup file. Refused (exit 2) while a server runs on
DATA_DIR: stop it first. The file is loaded and checked in a separate folder before anything is replaced.

Options:
  FILE     the backup to restore
  --force  replace an existing database (it is kept beside, renamed)`,
  },
};

const HELP_FLAGS = new Set(['--help', '-h']);

export function usage(): string {
  return `Usage: npm run cli -- <command> [options]
       npm run cli -- help <command>     (or <command> --help) for a command's options

Commands:
${Object.values(commands)
  .map((c) => `  ${c.usage}`)
  .join('\n')}`;
}

/** The usage line is "<syntax>   <summary>"; a command's help shows them apart. */
export function commandHelp(name: string): string {
  const command = commands[name]!;
  const [syntax, summary] = command.usage.split(/\s{2,}/, 2);
  return [`Usage: npm run cli -- ${syntax}`, summary, command.help].filter(Boolean).join('\n\n');
}

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

const consoleIo: CliIo = { out: (text) => console.log(text), err: (text) => console.error(text) };

/**
 * Runs one CLI invocation and returns its exit code. Help never loads the configuration or opens
 * the database, so it works on a machine with no settings at all. Help that was asked for goes to
 * stdout with exit 0; usage after a mistake goes to stderr with exit 2.
 */
export async function main(args: string[], io: CliIo = consoleIo): Promise<number> {
  const [name, ...argv] = args;
  if (name === undefined) {
    io.err(usage());
    return 2;
  }
  if (HELP_FLAGS.has(name) || name === 'help') {
    const topic = argv.find((arg) => !HELP_FLAGS.has(arg));
    if (topic === undefined) {
      io.out(usage());
      return 0;
    }
    if (!Object.hasOwn(commands, topic)) {
      io.err(`Unknown command: ${topic}\n\n${usage()}`);
      return 2;
    }
    io.out(commandHelp(topic));
    return 0;
  }
  // Object.hasOwn: "constructor" or "__proto__" must be unknown commands, not Object.prototype's.
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!command) {
    io.err(`Unknown command: ${name}\n\n${usage()}`);
    return 2;
  }
  if (argv.some((arg) => HELP_FLAGS.has(arg))) {
    io.out(commandHelp(name));
    return 0;
  }
  try {
    const config = loadConfig(process.env);
    // Embedded database: in this process, or in the running server that owns it (cli/dispatch.ts).
    const result = await dispatchCommand(config, name, command, argv);
    io.out(result.output);
    return result.exitCode ?? 0;
  } catch (error) {
    if (error instanceof ConfigError || error instanceof CliError) {
      io.err(error.message);
      return error instanceof CliError ? error.exitCode : 1;
    }
    const e = error as { name?: string; code?: string };
    io.err(`failed: ${e.name ?? 'Error'}${e.code ? ` (${e.code})` : ''}`);
    return 1;
  }
}

// Run only as the entry point (npm run cli), so tests can import main() and the table without side effects.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
