import { createServices, type ProofgateServices } from '../app';
import { ConfigError, loadConfig } from '../config';
import { createLogger } from '../lib/logger';
import { CliError } from './args';
import type { Command } from './command';
import { keysCheck, keysRotate } from './key-commands';
import { userCreate, userGrantAdmin, userResetTwoFactor, userRevokeAdmin } from './user-commands';

const commands: Record<string, { run: Command; usage: string }> = {
  'user:create': { run: userCreate, usage: 'user:create --email <email> [--admin]   create (password from stdin or prompt) or promote' },
  'user:grant-admin': { run: userGrantAdmin, usage: 'user:grant-admin --email <email>        make an existing user an admin (audited)' },
  'user:revoke-admin': { run: userRevokeAdmin, usage: 'user:revoke-admin --email <email>       take admin rights away (audited)' },
  'user:reset-2fa': { run: userResetTwoFactor, usage: 'user:reset-2fa --email <email>          remove 2FA for a user who lost device and codes' },
  'keys:rotate': { run: keysRotate, usage: 'keys:rotate [--limit <n>]               re-encrypt TOTP secrets under APP_ENC_KEY' },
  'keys:check': { run: keysCheck, usage: 'keys:check                              verify every stored secret decrypts' },
};

function usage(): string {
  return `Usage: npm run cli -- <command> [options]\n\nCommands:\n${Object.values(commands)
    .map((c) => `  ${c.usage}`)
    .join('\n')}`;
}

async function main(): Promise<number> {
  const [name, ...argv] = process.argv.slice(2);
  const command = name ? commands[name] : undefined;
  if (!command) {
    console.error(name ? `Unknown command: ${name}\n\n${usage()}` : usage());
    return 2;
  }
  let services: ProofgateServices | undefined;
  try {
    const config = loadConfig(process.env);
    services = await createServices(config, { logger: createLogger('warn', process.stderr) });
    const result = await command.run(services, argv);
    console.log(result.output);
    return result.exitCode ?? 0;
  } catch (error) {
    if (error instanceof ConfigError || error instanceof CliError) {
      console.error(error.message);
      return 1;
    }
    const e = error as { name?: string; code?: string };
    console.error(`failed: ${e.name ?? 'Error'}${e.code ? ` (${e.code})` : ''}`);
    return 1;
  } finally {
    await services?.close();
  }
}

process.exitCode = await main();
