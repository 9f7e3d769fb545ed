import fs from 'node:fs';
import os from 'node:os';

/**
 * Where the machine's CPU went during a measured run, from /proc: the server under test, the
 * load generator (this process), PostgreSQL, Redis, and everything else (other servers, other
 * people's jobs on a shared machine). Shown in cores, so "server 0.9 of 2" reads directly.
 */

export type CpuGroup = 'server' | 'load generator' | 'postgres' | 'redis' | 'other';
/**
 * The server's main thread (its event loop), from the scheduler's own accounting: the share of
 * the run it ran on a core, and the share it was ready to run but waited for one — time the
 * requests in flight stall although no code of the server is running.
 */
export interface MainThreadShares {
  running: number;
  waiting: number;
}
export type CpuShares = Record<CpuGroup, number> & { idle: number; mainThread?: MainThreadShares };

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

function readTotals(): { busy: number; idle: number } | undefined {
  try {
    const line = fs.readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
    const values = line.trim().split(/\s+/).slice(1).map(Number);
    const idle = (values[3] ?? 0) + (values[4] ?? 0);
    const all = values.slice(0, 8).reduce((a, b) => a + b, 0);
    return { busy: all - idle, idle };
  } catch {
    return undefined;
  }
}

function readProcesses(): Map<number, { comm: string; ticks: number }> {
  const result = new Map<number, { comm: string; ticks: number }>();
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return result;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const fields = stat.slice(close + 2).split(' ');
      // fields[11], fields[12] = utime, stime (the 14th and 15th fields of proc(5)).
      result.set(Number(entry), { comm, ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // The process ended between readdir and read.
    }
  }
  return result;
}

/** Nanoseconds on a core and waiting on a run queue (proc(5): /proc/[pid]/task/[tid]/schedstat). */
function readMainThreadSchedstat(pid: number): { runNs: number; waitNs: number } | undefined {
  try {
    // A process's main thread has the process's id as its thread id.
    const [runNs, waitNs] = fs.readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').trim().split(/\s+/).map(Number);
    return Number.isFinite(runNs) && Number.isFinite(waitNs) ? { runNs: runNs!, waitNs: waitNs! } : undefined;
  } catch {
    return undefined;
  }
}

export function startCpuAccounting(serverPid: number): () => CpuShares | undefined {
  const totalsBefore = readTotals();
  const before = readProcesses();
  const mainBefore = readMainThreadSchedstat(serverPid);
  const started = performance.now();
  return () => {
    const totalsAfter = readTotals();
    if (!totalsBefore || !totalsAfter) return undefined;
    const seconds = (performance.now() - started) / 1000;
    const after = readProcesses();
    const mainAfter = readMainThreadSchedstat(serverPid);
    const ticks: Record<CpuGroup, number> = { server: 0, 'load generator': 0, postgres: 0, redis: 0, other: 0 };
    for (const [pid, now] of after) {
      const delta = now.ticks - (before.get(pid)?.ticks ?? 0);
      if (delta <= 0) continue;
      const group: CpuGroup =
        pid === serverPid ? 'server'
        : pid === process.pid ? 'load generator'
        : now.comm.startsWith('postgres') ? 'postgres'
        : now.comm.startsWith('redis') ? 'redis'
        : 'other';
      ticks[group] += delta;
    }
    const cores = (t: number) => t / TICKS_PER_SECOND / seconds;
    const busy = cores(totalsAfter.busy - totalsBefore.busy);
    const known = ticks.server + ticks['load generator'] + ticks.postgres + ticks.redis;
    return {
      server: cores(ticks.server),
      'load generator': cores(ticks['load generator']),
      postgres: cores(ticks.postgres),
      redis: cores(ticks.redis),
      // Whatever the machine spent beyond the named groups (other processes, kernel work).
      other: Math.max(0, busy - cores(known)),
      idle: Math.max(0, os.availableParallelism() - busy),
      ...(mainBefore && mainAfter
        ? {
            mainThread: {
              running: (mainAfter.runNs - mainBefore.runNs) / 1e9 / seconds,
              waiting: (mainAfter.waitNs - mainBefore.waitNs) / 1e9 / seconds,
            },
          }
        : {}),
    };
  };
}
