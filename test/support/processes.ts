import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { serverBundle } from '../../tools/build/server-bundle';

export { CHILD_PROCESS_TEST_TIMEOUT_MS } from './timeouts';

/** How long a started server process may take to answer /healthz (see timeouts.ts: a loaded machine is slow). */
const CHILD_START_TIMEOUT_MS = 120_000;

/** A free TCP port on loopback (for child servers and private Redis instances). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

export async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface ChildServer {
  url: string;
  process: ChildProcess;
  output: string[];
  stop(): Promise<void>;
}

/** A real server process, as `npm start` runs it: the bundle global-setup built from these sources. */
export async function startChildServer(env: Record<string, string>): Promise<ChildServer> {
  const port = await freePort();
  const child = spawn(process.execPath, [serverBundle], {
    env: { ...process.env, NODE_ENV: 'test', HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn', SERVE_WEB: 'false', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout!.on('data', (d) => output.push(String(d)));
  child.stderr!.on('data', (d) => output.push(String(d)));
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(async () => (await fetch(`${url}/healthz`)).ok, CHILD_START_TIMEOUT_MS, `server on ${port}: ${output.join('')}`);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    url,
    process: child,
    output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

export interface PrivateRedis {
  url: string;
  port: number;
  stop(): Promise<void>;
  start(): Promise<void>;
}

/**
 * A throwaway redis-server the test may stop and restart without touching the shared one.
 * Without persistence, as CI's shared Redis runs; `extraArgs` are further redis-server options.
 */
export async function startPrivateRedis(extraArgs: string[] = []): Promise<PrivateRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const up = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...extraArgs], { stdio: 'ignore' });
    await waitFor(
      () =>
        new Promise<boolean>((resolve) => {
          const socket = net.connect(port, '127.0.0.1', () => {
            socket.end();
            resolve(true);
          });
          socket.on('error', () => resolve(false));
        }),
      // A bound on a hang, not a pace (redis-server starts in milliseconds when the machine is idle).
      30_000,
      'redis-server',
    );
  };
  await up();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    start: up,
    async stop() {
      // A process killed by a signal keeps exitCode null (signalCode says why): both mean gone,
      // and waiting for an 'exit' that already happened would hang.
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    },
  };
}
