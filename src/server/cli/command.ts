import type { ProofgateServices } from '../app';

export interface CommandResult {
  output: string;
  exitCode?: number;
}

export type Command = (services: ProofgateServices, argv: string[]) => Promise<CommandResult>;
