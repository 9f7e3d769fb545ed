import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { commands, main } from '../../src/server/cli/main';
import { CHILD_PROCESS_TEST_TIMEOUT_MS } from '../support/timeouts';

const run = promisify(execFile);

/** main() with its output captured; help must never need a configuration or a database. */
async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const names = Object.keys(commands);

describe('CLI help', () => {
  it.each([['--help'], ['-h'], ['help']])('%s prints the command list on stdout and exits 0', async (flag) => {
    const result = await cli(flag);
    expect(result).toMatchObject({ code: 0, err: '' });
    for (const name of names) expect(result.out).toContain(`  ${name}`);
    expect(result.out).toContain('help <command>');
  });

  it.each(names)('help %s and %s --help print the command\'s options and exit 0', async (name) => {
    const viaHelp = await cli('help', name);
    expect(viaHelp).toMatchObject({ code: 0, err: '' });
    expect(viaHelp.out).toContain(`Usage: npm run cli -- ${name}`);
    for (const args of [[name, '--help'], [name, '-h'], [name, '--email', 'x@example.test', '--help'], ['--help', name]]) {
      expect(await cli(...args), args.join(' ')).toEqual(viaHelp);
    }
  });

  it('every command has a help text that documents each flag of its usage line', () => {
    for (const [name, command] of Object.entries(commands)) {
      expect(command.help, name).toBeTruthy();
      const flags = command.usage.match(/--[a-z][a-z0-9-]*/g) ?? [];
      for (const flag of flags) expect(command.help, `${name} ${flag}`).toMatch(new RegExp(`^\\s+${flag}\\b`, 'm'));
      if (flags.length === 0) expect(command.help, name).toMatch(/Options: none/);
    }
  });

  it('an unknown command (or help for one) exits 2 with the command list on stderr', async () => {
    for (const args of [['nope'], ['help', 'nope'], ['constructor'], ['--version']]) {
      const result = await cli(...args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.out).toBe('');
      expect(result.err).toContain(`Unknown command: ${args.at(-1)}`);
      for (const name of names) expect(result.err).toContain(name);
    }
  });

  it('no command at all exits 2 with the command list on stderr', async () => {
    const result = await cli();
    expect(result.code).toBe(2);
    expect(result.err).toContain('Commands:');
  });

  // The real entry point, as `npm run cli` runs it: main() runs there and only there.
  it('npm run cli -- --help exits 0; an unknown command exits 2', { timeout: CHILD_PROCESS_TEST_TIMEOUT_MS }, async () => {
    const help = await run('npx', ['tsx', 'src/server/cli/main.ts', '--help'], { timeout: CHILD_PROCESS_TEST_TIMEOUT_MS / 2 });
    expect(help.stdout).toContain('Commands:');
    const unknown = await run('npx', ['tsx', 'src/server/cli/main.ts', 'nope'], { timeout: CHILD_PROCESS_TEST_TIMEOUT_MS / 2 }).catch((error: { code: number; stderr: string }) => error);
    expect((unknown as { code: number }).code).toBe(2);
    expect((unknown as { stderr: string }).stderr).toContain('Unknown command: nope');
  });
});
