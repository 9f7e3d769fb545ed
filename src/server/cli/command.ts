import type { ProofgateServices } from '../app';
import type { Config } from '../config';
import { readSecret } from './read-secret';
import { writeFileAtomically } from './write-file';

export interface CommandResult {
  output: string;
  exitCode?: number;
}

/**
 * What a command needs from the operator's terminal. Run in the CLI process, it is the
 * terminal itself; run by the server on behalf of the CLI (ops/admin-channel.ts), each call
 * goes back over the channel, so the password is still typed (or piped) where the operator is
 * and a backup lands where the operator's shell resolves its path.
 */
export interface CommandIo {
  readSecret(prompt: string): Promise<string>;
  /** Writes `data` to `file` (relative to the operator's working directory); returns the absolute path. */
  writeFile(file: string, data: Uint8Array, options: { overwrite: boolean }): Promise<string>;
}

export const terminalIo: CommandIo = {
  readSecret,
  writeFile: async (file, data, options) => writeFileAtomically(file, data, options),
};

/** A command run on the product's services (in the CLI process, or in the running server). */
export type Command = (services: ProofgateServices, argv: string[], io?: CommandIo) => Promise<CommandResult>;

/**
 * A command that must own DATA_DIR with no services open (db:restore replaces the database
 * folder): never run by a server, refused while one holds DATA_DIR.
 */
export type OfflineCommand = (config: Config, argv: string[], io: CommandIo) => Promise<CommandResult>;

export type CommandSpec = { usage: string } & ({ run: Command; offline?: undefined } | { offline: OfflineCommand; run?: undefined });
