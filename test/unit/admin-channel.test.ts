import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProofgateServices } from '../../src/server/app';
import { CliError } from '../../src/server/cli/args';
import type { Command, CommandIo } from '../../src/server/cli/command';
import { adminSocketPath, connectAdminChannel, runOverChannel, startAdminChannel, type AdminChannel } from '../../src/server/ops/admin-channel';

/** The admin channel's protocol, with stand-in commands: prompts and writes go back to the CLI; bad input is refused cleanly. */
describe('admin channel', () => {
  let dataDir: string;
  let channel: AdminChannel;
  const services = { keys: { ring: { current: { id: 'server-key' } } } } as unknown as ProofgateServices;
  const commands: Record<string, Command> = {
    'test:echo-secret': async (_services, argv, io) => ({ output: `${argv.join(' ')}:${await io!.readSecret('Secret: ')}` }),
    'test:write': async (_services, argv, io) => ({ output: await io!.writeFile(argv[0]!, Buffer.from('payload'), { overwrite: false }) }),
    'test:refuse': async () => {
      throw new CliError('refused for a reason', 2);
    },
    'test:crash': async () => {
      throw Object.assign(new Error('secret detail'), { code: 'EBOOM' });
    },
    'keys:check': async () => ({ output: 'checked' }),
  };
  const io = (secret = 'hunter2-long-enough'): CommandIo & { written: Array<{ file: string; data: string }> } => {
    const written: Array<{ file: string; data: string }> = [];
    return {
      written,
      readSecret: async () => secret,
      writeFile: async (file, data) => {
        written.push({ file, data: Buffer.from(data).toString('utf8') });
        return `/abs/${file}`;
      },
    };
  };
  const run = async (command: string, argv: string[], terminal = io(), keyId?: string) => {
    const socket = await connectAdminChannel(dataDir);
    if (!socket) throw new Error('no channel');
    return runOverChannel(socket, command, argv, terminal, keyId);
  };

  beforeEach(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pg-chan-'));
    channel = await startAdminChannel({ dataDir, services, commands, logger: pino({ level: 'silent' }) });
  });
  afterEach(async () => {
    await channel.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs a command whose prompt is answered by the CLI, and one whose file is written by the CLI', async () => {
    expect(await run('test:echo-secret', ['a', 'b'])).toEqual({ output: 'a b:hunter2-long-enough', exitCode: 0 });
    const terminal = io();
    expect(await run('test:write', ['backup.tgz'], terminal)).toEqual({ output: '/abs/backup.tgz', exitCode: 0 });
    expect(terminal.written).toEqual([{ file: 'backup.tgz', data: 'payload' }]);
  });

  it('passes refusals with their exit code; an unexpected error is named without its message', async () => {
    await expect(run('test:refuse', [])).rejects.toMatchObject({ message: 'refused for a reason', exitCode: 2 });
    await expect(run('test:crash', [])).rejects.toMatchObject({ message: 'failed: Error (EBOOM)', exitCode: 1 });
    await expect(run('db:restore', [])).rejects.toMatchObject({ exitCode: 1 });
  });

  it('keys:* refuse when the CLI has another APP_ENC_KEY than the server', async () => {
    await expect(run('keys:check', [], io(), 'other-key')).rejects.toThrow(/restart the server with the new APP_ENC_KEY/);
    expect(await run('keys:check', [], io(), 'server-key')).toEqual({ output: 'checked', exitCode: 0 });
    expect(await run('keys:check', [])).toEqual({ output: 'checked', exitCode: 0 });
  });

  it('malformed or oversized input closes that connection only; the channel keeps serving', async () => {
    for (const payload of ['not json\n', '{"no":"type"}\n', 'x'.repeat(200 * 1024)]) {
      const closed = await new Promise<boolean>((resolve) => {
        const socket = net.connect(adminSocketPath(dataDir), () => socket.write(payload));
        socket.on('error', () => undefined);
        socket.on('close', () => resolve(true));
      });
      expect(closed).toBe(true);
    }
    expect(await run('test:echo-secret', ['still'])).toEqual({ output: 'still:hunter2-long-enough', exitCode: 0 });
  });

  it('is a 0600 socket in a 0700 folder, removed on close; no channel means no connection', async () => {
    expect(fs.statSync(adminSocketPath(dataDir)).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(adminSocketPath(dataDir))).mode & 0o777).toBe(0o700);
    await channel.close();
    expect(fs.existsSync(adminSocketPath(dataDir))).toBe(false);
    expect(await connectAdminChannel(dataDir)).toBeUndefined();
    channel = await startAdminChannel({ dataDir, services, commands, logger: pino({ level: 'silent' }) });
  });
});
