import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Logger } from 'pino';
import type { ProofgateServices } from '../app';
import { CliError } from '../cli/args';
import type { Command, CommandIo, CommandResult } from '../cli/command';

/**
 * The admin channel: how the CLI runs a command while the server owns the embedded database.
 * A second process must not open DATA_DIR (db/data-dir-lock.ts), so the CLI hands the
 * command to the server, which runs the very same command function on its own services.
 *
 * Local only: a Unix socket inside DATA_DIR/run, a folder of mode 0700 (the socket itself
 * 0600), so only the account that owns DATA_DIR, which could read the database files anyway,
 * can connect. Nothing listens on the network.
 *
 * Protocol: one JSON object per line.
 *   CLI → server   {"type":"run","command":"user:create","argv":[...],"key_id":"…"}   (key_id: the CLI's APP_ENC_KEY, when set)
 *   server → CLI   {"type":"prompt","prompt":"Password for …"}   CLI → server {"type":"secret","value":"…"}
 *   server → CLI   {"type":"write","path":"…","data":"<base64>","overwrite":false}
 *                                                                  CLI → server {"type":"written","path":"/abs"} | {"type":"write_failed","message":"…"}
 *   server → CLI   {"type":"done","output":"…","exitCode":0} | {"type":"error","message":"…","exitCode":1}
 */
export function adminSocketPath(dataDir: string): string {
  return path.resolve(dataDir, 'run', 'admin.sock');
}

/** Linux and macOS cap a Unix socket path at 107/103 bytes; a longer DATA_DIR cannot have a channel. */
const MAX_SOCKET_PATH = 100;
/** The CLI only ever sends short messages (a command line, a password, an acknowledgement). */
const MAX_CLIENT_LINE = 64 * 1024;

type Message = Record<string, unknown> & { type: string };

/** Splits a byte stream into JSON lines; a malformed line or one over `maxLine` is an error. */
function lineReader(socket: net.Socket, maxLine: number, onMessage: (message: Message) => void, onError: (error: Error) => void) {
  let buffer = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    let newline: number;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      let message: Message;
      try {
        message = JSON.parse(line) as Message;
        if (typeof message !== 'object' || message === null || typeof message.type !== 'string') throw new Error('no type');
      } catch {
        onError(new Error('malformed message on the admin channel'));
        return;
      }
      onMessage(message);
    }
    if (buffer.length > maxLine) onError(new Error('message too long on the admin channel'));
  });
}

function send(socket: net.Socket, message: Message): void {
  if (!socket.destroyed) socket.write(`${JSON.stringify(message)}\n`);
}

export interface AdminChannel {
  path: string;
  close(): Promise<void>;
}

/**
 * Serves the admin channel for a server that owns DATA_DIR (call it only while holding the
 * DATA_DIR lock: it removes a socket file left by a killed predecessor).
 */
export async function startAdminChannel(options: {
  dataDir: string;
  services: ProofgateServices;
  commands: Record<string, Command>;
  logger: Logger;
}): Promise<AdminChannel> {
  const socketPath = adminSocketPath(options.dataDir);
  if (socketPath.length > MAX_SOCKET_PATH) {
    throw new Error(`DATA_DIR is too long a path for the admin channel's Unix socket (${socketPath.length} > ${MAX_SOCKET_PATH} characters)`);
  }
  const folder = path.dirname(socketPath);
  fs.mkdirSync(folder, { recursive: true, mode: 0o700 });
  // mkdir leaves an existing folder's mode alone: a folder others can enter would let them connect.
  fs.chmodSync(folder, 0o700);
  fs.rmSync(socketPath, { force: true });

  const connections = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    connections.add(socket);
    socket.on('close', () => connections.delete(socket));
    socket.on('error', () => undefined);
    serveConnection(socket, options);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => {
      server.off('error', reject);
      resolve();
    });
  });
  fs.chmodSync(socketPath, 0o600);

  return {
    path: socketPath,
    async close() {
      // A command in flight when the server stops is cut off; its CLI reports that the server went away.
      for (const socket of connections) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      fs.rmSync(socketPath, { force: true });
    },
  };
}

function serveConnection(socket: net.Socket, options: { services: ProofgateServices; commands: Record<string, Command>; logger: Logger }): void {
  // Each reply the command is waiting for (a secret, a write acknowledgement) resolves the one pending wait.
  let pending: { expect: string[]; resolve: (message: Message) => void; reject: (error: Error) => void } | undefined;
  let started = false;
  const fail = (error: Error) => {
    pending?.reject(error);
    pending = undefined;
    socket.destroy();
  };
  socket.on('close', () => fail(new CliError('the CLI disconnected')));

  const awaitReply = (expect: string[]) =>
    new Promise<Message>((resolve, reject) => {
      pending = { expect, resolve, reject };
    });

  const io: CommandIo = {
    async readSecret(prompt) {
      const reply = awaitReply(['secret']);
      send(socket, { type: 'prompt', prompt });
      const message = await reply;
      if (typeof message.value !== 'string') throw new CliError('no secret was given');
      return message.value;
    },
    async writeFile(file, data, { overwrite }) {
      const reply = awaitReply(['written', 'write_failed']);
      send(socket, { type: 'write', path: file, data: Buffer.from(data).toString('base64'), overwrite });
      const message = await reply;
      if (message.type === 'write_failed') throw new CliError(String(message.message ?? 'the CLI could not write the file'));
      return String(message.path);
    },
  };

  lineReader(
    socket,
    MAX_CLIENT_LINE,
    (message) => {
      if (!started) {
        started = true;
        void runRequested(socket, message, io, options);
        return;
      }
      if (!pending || !pending.expect.includes(message.type)) return fail(new Error(`unexpected ${message.type} on the admin channel`));
      const { resolve } = pending;
      pending = undefined;
      resolve(message);
    },
    fail,
  );
}

async function runRequested(
  socket: net.Socket,
  message: Message,
  io: CommandIo,
  options: { services: ProofgateServices; commands: Record<string, Command>; logger: Logger },
): Promise<void> {
  const name = typeof message.command === 'string' ? message.command : '';
  const argv = Array.isArray(message.argv) && message.argv.every((a) => typeof a === 'string') ? (message.argv as string[]) : undefined;
  const command = message.type === 'run' ? options.commands[name] : undefined;
  if (!command || !argv) {
    send(socket, { type: 'error', message: `the running server cannot run ${JSON.stringify(name)} (is it an older version? restart it)`, exitCode: 1 });
    socket.end();
    return;
  }
  // keys:* work with the server's keys, not the ones in the operator's shell: if the operator set
  // a new APP_ENC_KEY there but the server still runs with another, rotating now would re-encrypt
  // under the server's key, not the intended one. Refuse and say what to do.
  const serverKeyId = options.services.keys.ring.current.id;
  if (name.startsWith('keys:') && typeof message.key_id === 'string' && message.key_id !== serverKeyId) {
    send(socket, {
      type: 'error',
      message: `the running server encrypts with key ${serverKeyId}, but APP_ENC_KEY in this shell is key ${message.key_id}: restart the server with the new APP_ENC_KEY (and the previous key in APP_ENC_KEYS_OLD), then run ${name} again. Nothing was changed.`,
      exitCode: 1,
    });
    socket.end();
    return;
  }
  try {
    const result: CommandResult = await command(options.services, argv, io);
    send(socket, { type: 'done', output: result.output, exitCode: result.exitCode ?? 0 });
  } catch (error) {
    if (error instanceof CliError) {
      send(socket, { type: 'error', message: error.message, exitCode: error.exitCode });
    } else {
      const e = error as { name?: string; code?: string };
      options.logger.error({ command: name, name: e.name, cause_code: e.code }, 'admin channel command failed');
      send(socket, { type: 'error', message: `failed: ${e.name ?? 'Error'}${e.code ? ` (${e.code})` : ''}`, exitCode: 1 });
    }
  }
  socket.end();
}

/** Connects to the running server's channel; undefined when nothing listens there. */
export async function connectAdminChannel(dataDir: string): Promise<net.Socket | undefined> {
  const socketPath = adminSocketPath(dataDir);
  if (socketPath.length > MAX_SOCKET_PATH || !fs.existsSync(socketPath)) return undefined;
  return new Promise((resolve) => {
    const socket = net.connect(socketPath);
    socket.once('connect', () => resolve(socket));
    // ECONNREFUSED: a socket file left by a killed server; EACCES: not ours to use.
    socket.once('error', () => resolve(undefined));
  });
}

/** Runs a command in the server over an open channel, answering its prompts and writes from this terminal. */
export async function runOverChannel(
  socket: net.Socket,
  command: string,
  argv: string[],
  io: CommandIo,
  keyId: string | undefined,
): Promise<CommandResult> {
  return new Promise<CommandResult>((resolve, reject) => {
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      outcome();
      socket.destroy();
    };
    socket.on('error', () => undefined);
    socket.on('close', () => settle(() => reject(new CliError('the server closed the admin channel before the command finished (did it stop?); check with the same command whether it took effect'))));
    lineReader(
      socket,
      Number.POSITIVE_INFINITY,
      (message) => {
        switch (message.type) {
          case 'prompt':
            io.readSecret(String(message.prompt ?? 'Secret: ')).then(
              (value) => send(socket, { type: 'secret', value }),
              (error: Error) => settle(() => reject(error)),
            );
            return;
          case 'write':
            io.writeFile(String(message.path), Buffer.from(String(message.data ?? ''), 'base64'), { overwrite: message.overwrite === true }).then(
              (written) => send(socket, { type: 'written', path: written }),
              (error: Error) => send(socket, { type: 'write_failed', message: error.message }),
            );
            return;
          case 'done':
            return settle(() => resolve({ output: String(message.output ?? ''), exitCode: Number(message.exitCode ?? 0) }));
          case 'error':
            return settle(() => reject(new CliError(String(message.message ?? 'failed'), Number(message.exitCode ?? 1))));
          default:
            return settle(() => reject(new CliError(`unexpected ${message.type} from the server`)));
        }
      },
      (error) => settle(() => reject(new CliError(error.message))),
    );
    send(socket, { type: 'run', command, argv, ...(keyId ? { key_id: keyId } : {}) });
  });
}
