import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './processes';

const run = promisify(execFile);

/**
 * A throwaway PostgreSQL cluster (initdb + pg_ctl from the Debian packages) that a test may
 * stop, kill and restart without touching the shared server other tests and people use.
 */
export interface PrivatePostgres {
  url: string;
  stop(mode?: 'immediate' | 'fast'): Promise<void>;
  start(): Promise<void>;
  /** pg_terminate_backend on every Proofgate connection: "connection killed mid-request". */
  killConnections(): Promise<number>;
  destroy(): Promise<void>;
}

function binDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!fs.existsSync(root)) return undefined;
  const version = fs.readdirSync(root).sort().pop();
  const dir = version ? path.join(root, version, 'bin') : undefined;
  return dir && fs.existsSync(path.join(dir, 'initdb')) ? dir : undefined;
}

/** initdb refuses to run as root; as root we run it as the `postgres` user. */
function asPostgres(command: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
}

export function privatePostgresAvailable(): boolean {
  if (!binDir()) return false;
  if (process.getuid?.() !== 0) return true;
  try {
    fs.accessSync('/usr/sbin/runuser');
    return true;
  } catch {
    return false;
  }
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = binDir()!;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'proofgate-pg-'));
  if (process.getuid?.() === 0) await run('chown', ['postgres', dir]);
  const dataDir = path.join(dir, 'data');
  let port = await freePort();
  await run(...asPostgres(path.join(bin, 'initdb'), ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']));
  const pgctl = (args: string[]) => run(...asPostgres(path.join(bin, 'pg_ctl'), ['-D', dataDir, ...args]));
  const start = async () => {
    await pgctl(['-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, '-l', path.join(dir, 'log'), '-w', 'start']);
  };
  // freePort's port can be taken by another process before PostgreSQL binds it (parallel test
  // files on a busy machine): on the first start only, try again on a new port.
  for (let attempt = 1; ; attempt++) {
    try {
      await start();
      break;
    } catch (error) {
      const log = fs.readFileSync(path.join(dir, 'log'), 'utf8');
      if (attempt >= 3 || !log.includes('Address already in use')) throw error;
      port = await freePort();
    }
  }
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  return {
    url,
    start,
    async stop(mode = 'immediate') {
      await pgctl(['-m', mode, '-w', 'stop']);
    },
    async killConnections() {
      const client = new pg.Client({ connectionString: url, application_name: 'fault-injector' });
      await client.connect();
      try {
        const result = await client.query(
          "select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'proofgate' and pid <> pg_backend_pid()",
        );
        return result.rowCount ?? 0;
      } finally {
        await client.end();
      }
    },
    async destroy() {
      await pgctl(['-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
