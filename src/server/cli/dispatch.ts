import path from 'node:path';
import { createServices, type ProofgateServices } from '../app';
import type { Config } from '../config';
import { createLogger } from '../lib/logger';
import { keyFromBase64 } from '../lib/secret-box';
import { adminSocketPath, connectAdminChannel, runOverChannel } from '../ops/admin-channel';
import { DataDirLockedError, describeOwner, lockHolder, type LockOwner } from '../db/data-dir-lock';
import { CliError } from './args';
import { terminalIo, type CommandResult, type CommandSpec } from './command';

/**
 * Where a command runs. PostgreSQL (DATABASE_URL) takes many clients: in this process, as
 * always. The embedded database has one owner (db/data-dir-lock.ts): when a server owns
 * DATA_DIR the command goes to it over the admin channel (ops/admin-channel.ts) and runs on
 * its services; when nobody does, this process takes DATA_DIR itself for the command's
 * length. Never a second writer: if DATA_DIR is owned and the channel does not answer, the
 * command is refused with exit code 2 before anything is opened.
 */
export async function dispatchCommand(config: Config, name: string, spec: CommandSpec, argv: string[]): Promise<CommandResult> {
  if (config.databaseUrl) {
    return spec.offline ? spec.offline(config, argv, terminalIo) : runHere(config, name, spec.run, argv);
  }

  const channel = await connectAdminChannel(config.dataDir);
  if (channel) {
    if (spec.offline) {
      channel.destroy();
      const holder = lockHolder(config.dataDir);
      throw new CliError(`${name} needs DATA_DIR to itself, and a Proofgate server is running on it${holder ? ` (${describeOwner(holder.owner)})` : ''}: stop the server, run ${name} again, then start the server. Nothing was changed.`, 2);
    }
    const keyBase64 = config.encryption.currentKeyBase64;
    return runOverChannel(channel, name, argv, terminalIo, keyBase64 ? keyFromBase64(keyBase64).id : undefined);
  }

  const holder = lockHolder(config.dataDir);
  if (holder) throw refusal(config, name, holder.owner);
  if (spec.offline) return spec.offline(config, argv, terminalIo);
  try {
    return await runHere(config, name, spec.run, argv);
  } catch (error) {
    // A server that took DATA_DIR between the check above and the open.
    if (error instanceof DataDirLockedError) throw refusal(config, name, error.owner);
    throw error;
  }
}

function refusal(config: Config, name: string, owner: LockOwner | undefined): CliError {
  const dataDir = path.resolve(config.dataDir);
  return new CliError(
    [
      `DATA_DIR ${dataDir} is in use by ${describeOwner(owner)}, and its admin channel (${adminSocketPath(dataDir)}) does not answer. Nothing was written.`,
      `Next step: if that server is still starting, wait until it prints "Proofgate is listening" and run \`npm run cli -- ${name} …\` again;`,
      'if it is an older Proofgate without the admin channel, stop it, run the command, then start it again;',
      'if it is another CLI command, let it finish first;',
      'if the server runs under another account, run the CLI as that account (the channel is open to it alone).',
    ].join('\n'),
    2,
  );
}

async function runHere(config: Config, name: string, run: NonNullable<CommandSpec['run']>, argv: string[]): Promise<CommandResult> {
  let services: ProofgateServices | undefined;
  try {
    services = await createServices(config, { logger: createLogger('warn', process.stderr), lockRole: `cli ${name}` });
    return await run(services, argv, terminalIo);
  } finally {
    await services?.close();
  }
}
