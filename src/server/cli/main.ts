import { createServices, type ProofgateServices } from '../app';
import { ConfigError, loadConfig } from '../config';
import { createLogger } from '../lib/logger';
import { CliError } from './args';
import { userCreate } from './user-commands';

type Command = (services: ProofgateServices, argv: string[]) => Promise<string>;

const commands: Record<string, { run: Command; usage: string }> = {
  'user:create': { run: userCreate, usage: 'user:create --email <email> [--admin]   (password from stdin or prompt)' },
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
    console.log(await command.run(services, argv));
    return 0;
  } catch (error) {
    if (error instanceof ConfigError || error instanceof CliError) {
      console.error(error.message);
      return 1;
    }
    const e = error as { name?: string; code?: string };
    console.error(`failed: ${e.name ?? 'Error'}${e.code ? ` (${e.code})` : ''}`);
    return 1;
  } finally {
    await services?.database.close();
  }
}

process.exitCode = await main();
