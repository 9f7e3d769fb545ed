import fs from 'node:fs';
import os from 'node:os';

/**
 * How far below the process's priority libuv's pool threads run in the standalone server (nice
 * value +10, at most 19). The pool runs the argon2 hashes; the main thread runs every request.
 * Ten steps down, the scheduler gives a runnable main thread
 * (and PostgreSQL, Redis) about nine times a hashing thread's share of a busy core, so a login
 * burst no longer stretches other requests' latency, while hashes still use every cycle nobody
 * else wants (docs/performance.md, login).
 */
export const THREADPOOL_NICE_STEPS = 10;

export type ThreadpoolPriority =
  | { lowered: true; threadIds: number[] }
  | { lowered: false; reason: string };

const TASKS = '/proc/self/task';

/**
 * Starts libuv's pool and lowers the priority of its threads, and only of them. libuv creates
 * the whole pool, synchronously, on the first piece of work queued to it; the threads that
 * appear across that call are the pool. Nothing is changed when that cannot be told for sure
 * (not Linux, the pool already running, a count other than `poolSize`) or the system refuses
 * (raising a thread's nice value needs no privilege, but a sandbox may deny it): the server
 * then runs as it would without this.
 */
export function startThreadpoolAtLowPriority(poolSize: number, steps = THREADPOOL_NICE_STEPS): ThreadpoolPriority {
  if (process.platform !== 'linux') return { lowered: false, reason: `per-thread priority is not set on ${process.platform}` };
  let threadIds: number[];
  try {
    const before = new Set(fs.readdirSync(TASKS));
    fs.stat(TASKS, () => undefined); // the first job queued to the pool: it starts every thread before returning
    threadIds = fs.readdirSync(TASKS).filter((id) => !before.has(id)).map(Number);
  } catch (error) {
    return { lowered: false, reason: `the process's threads could not be listed: ${(error as Error).message}` };
  }
  if (threadIds.length !== poolSize) {
    return { lowered: false, reason: `${threadIds.length} threads started, not the pool's ${poolSize} (was it already running?)` };
  }
  try {
    // On Linux the nice value belongs to one thread, and setpriority takes a thread id.
    for (const threadId of threadIds) os.setPriority(threadId, Math.min(19, os.getPriority(threadId) + steps));
  } catch (error) {
    return { lowered: false, reason: `the system refused: ${(error as Error).message}` };
  }
  return { lowered: true, threadIds };
}

/** Where the preload leaves its verdict for the server, which logs it once its logger exists. */
const VERDICT_KEY = 'proofgateThreadpoolPriority';
type VerdictHolder = { [VERDICT_KEY]?: ThreadpoolPriority };

export function recordThreadpoolPriority(verdict: ThreadpoolPriority): void {
  (globalThis as VerdictHolder)[VERDICT_KEY] = verdict;
}

/** Undefined when the process was not started through the preload (npm run dev, a host app, tests). */
export function recordedThreadpoolPriority(): ThreadpoolPriority | undefined {
  return (globalThis as VerdictHolder)[VERDICT_KEY];
}
