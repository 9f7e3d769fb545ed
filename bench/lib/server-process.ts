import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort, waitFor } from '../../test/support/processes';
import { bundleForNode } from '../../tools/build/server-bundle';
import type { ProbeEnvelope, ProbeReply } from '../probe/protocol';

/**
 * A server under test: its own Node process (never the load generator's), started with the
 * probe preload and an IPC channel the probe answers on.
 */
export interface ServerProcess {
  name: string;
  url: string;
  pid: number;
  /**
   * Counters, event-loop delay and CPU since the last reset; `reset` zeroes them first. `gcLog`
   * starts a record of the garbage collector's pauses, or takes it (in the reply).
   */
  probe(reset?: boolean, collectGarbage?: boolean, gcLog?: 'start' | 'take'): Promise<ProbeReply>;
  /** Resident memory now (VmRSS), in bytes. */
  rssBytes(): number;
  memory: MemoryWatch;
  stop(): Promise<void>;
  output(): string;
}

/**
 * The probe preload as one JavaScript file, so a server run from its bundle (as `npm start`
 * runs Proofgate) needs no TypeScript loader for it. Packages stay external: the probe must
 * wrap the very @node-rs/argon2 module instance the server imports.
 */
export async function compileProbePreload(outDir: string): Promise<string> {
  const outfile = path.join(outDir, 'probe-preload.mjs');
  await bundleForNode(path.resolve('bench/probe/preload.ts'), outfile);
  return outfile;
}

export interface StartOptions {
  name: string;
  /** A JavaScript file run as is, or a TypeScript file run through tsx. */
  entry: string;
  /** The probe preload, compiled (compileProbePreload): JavaScript, so no loader is needed for it. */
  probePreload: string;
  env: Record<string, string>;
  /** Node.js flags before the entry (Proofgate: those of `npm start`). */
  nodeFlags?: string[];
  /** Write a V8 CPU profile into this folder when the process exits. */
  cpuProfileDir?: string | undefined;
}

export async function startServerProcess(options: StartOptions): Promise<ServerProcess> {
  const port = await freePort();
  const nodeArgs = [
    ...(options.nodeFlags ?? []),
    ...(options.entry.endsWith('.ts') ? ['--import', 'tsx'] : []),
    '--import',
    options.probePreload,
  ];
  if (options.cpuProfileDir) {
    fs.mkdirSync(options.cpuProfileDir, { recursive: true });
    // One profile per thread (a loader's hooks run on their own): no fixed name, or they overwrite each other.
    nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`);
  }
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, options.entry], {
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), ...options.env },
    // Request logs (stdout) go to /dev/null: written and serialised as in production, not kept.
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  const stderr: string[] = [];
  child.stderr!.on('data', (chunk) => {
    stderr.push(String(chunk));
    if (stderr.length > 200) stderr.shift();
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(async () => (await fetch(`${url}/healthz`)).ok, 60_000, `${options.name} on ${port}: ${stderr.join('')}`);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }

  let nextId = 1;
  const pending = new Map<number, (reply: ProbeReply) => void>();
  child.on('message', (message: ProbeEnvelope) => {
    if (message?.probe !== true) return;
    pending.get(message.id)?.(message.reply);
    pending.delete(message.id);
  });

  const pid = child.pid!;
  return {
    name: options.name,
    url,
    pid,
    memory: watchMemory(pid),
    rssBytes: () => (readStatusKb(pid, 'VmRSS') ?? 0) * 1024,
    probe(reset = false, collectGarbage = false, gcLog?: 'start' | 'take') {
      const id = nextId++;
      return new Promise<ProbeReply>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`${options.name}: probe did not answer`));
        }, 10_000);
        pending.set(id, (reply) => {
          clearTimeout(timer);
          resolve(reply);
        });
        child.send({ probe: true, id, reset, collectGarbage, ...(gcLog ? { gcLog } : {}) });
      });
    },
    output: () => stderr.join(''),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      // A CPU profile is written on exit; give it time.
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 15_000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

export interface MemoryWatch {
  /** Resets the kernel's peak-RSS mark (VmHWM) and starts polling VmRSS every `intervalMs`. */
  start(intervalMs?: number): void;
  /** Peak resident set size since start(), in bytes: VmHWM when it could be reset, else the polled maximum. */
  stop(): { peakRssBytes: number; source: 'VmHWM' | 'polled VmRSS' };
}

function readStatusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number | undefined {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

function watchMemory(pid: number): MemoryWatch {
  let timer: NodeJS.Timeout | undefined;
  let polledMaxKb = 0;
  let hwmReset = false;
  return {
    start(intervalMs = 100) {
      polledMaxKb = readStatusKb(pid, 'VmRSS') ?? 0;
      try {
        // "5" resets the peak RSS mark (Linux ≥ 4.0, proc(5) clear_refs); needs the same user or root.
        fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
        hwmReset = true;
      } catch {
        hwmReset = false;
      }
      timer = setInterval(() => {
        const kb = readStatusKb(pid, 'VmRSS');
        if (kb !== undefined && kb > polledMaxKb) polledMaxKb = kb;
      }, intervalMs);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      const last = readStatusKb(pid, 'VmRSS') ?? 0;
      polledMaxKb = Math.max(polledMaxKb, last);
      const hwm = hwmReset ? readStatusKb(pid, 'VmHWM') : undefined;
      if (hwm !== undefined) return { peakRssBytes: Math.max(hwm, polledMaxKb) * 1024, source: 'VmHWM' };
      return { peakRssBytes: polledMaxKb * 1024, source: 'polled VmRSS' };
    },
  };
}
