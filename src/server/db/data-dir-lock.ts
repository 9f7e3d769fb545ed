import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * One owner per embedded database. PGlite has no locking of its own: two processes that open
 * the same folder each keep their own copy of the database in memory and overwrite each
 * other's files, so a row one of them writes is lost (or the folder is damaged). The owner
 * (the server, or a CLI command when no server runs) holds DATA_DIR/proofgate.lock.
 */
export const LOCK_FILE = 'proofgate.lock';

/** How often the holder touches the lock, so a lock from another host can be judged stale by age. */
const HEARTBEAT_MS = 10_000;
/** A lock from another host untouched for this long belongs to a machine that stopped. */
const FOREIGN_STALE_MS = 60_000;

export interface LockOwner {
  pid: number;
  host: string;
  started_at: string;
  /** What holds it: 'server' or 'cli <command>', for the refusal message. */
  role: string;
  /** Linux: when the process started (clock ticks since boot), so a pid reused by another process is told apart. */
  proc_start?: string;
}

export class DataDirLockedError extends Error {
  constructor(
    readonly lockPath: string,
    readonly owner: LockOwner | undefined,
  ) {
    super(`${lockPath} is held by ${describeOwner(owner)}`);
    this.name = 'DataDirLockedError';
  }
}

export function describeOwner(owner: LockOwner | undefined): string {
  if (!owner) return 'another process (its lock file could not be read)';
  return `${owner.role} (pid ${owner.pid} on host ${owner.host}, since ${owner.started_at})`;
}

export interface DataDirLock {
  path: string;
  owner: LockOwner;
  release(): void;
}

/** Locks this process holds, so a second open in the same process is refused too (and not taken for stale). */
const heldHere = new Set<string>();

function readOwner(lockPath: string): LockOwner | undefined {
  try {
    const parsed = JSON.parse(fs.readFileSync(lockPath, 'utf8')) as Partial<LockOwner>;
    if (typeof parsed.pid !== 'number' || typeof parsed.host !== 'string') return undefined;
    return {
      pid: parsed.pid,
      host: parsed.host,
      started_at: String(parsed.started_at ?? '?'),
      role: String(parsed.role ?? 'a process'),
      ...(typeof parsed.proc_start === 'string' ? { proc_start: parsed.proc_start } : {}),
    };
  } catch {
    return undefined;
  }
}

/** Field 22 of /proc/PID/stat; undefined where there is no /proc (macOS) or no such process. */
function processStart(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after its last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user; it is alive.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether a lock whose owner is `owner` may be broken. Same host: the pid must be gone, or now
 * belong to a process that started at another time (our own pid counts as gone unless this
 * process really holds the lock: after a container restart the server often gets the same pid
 * as its predecessor). Another host: its pid cannot be checked,
 * so only a lock its holder stopped refreshing counts as stale.
 */
function isStale(lockPath: string, owner: LockOwner | undefined): boolean {
  let ageMs: number;
  try {
    ageMs = Date.now() - fs.statSync(lockPath).mtimeMs;
  } catch {
    return true; // gone meanwhile: try again
  }
  if (!owner) {
    // A lock is written whole (link of a complete file), so an unreadable one is damaged, not
    // half-written; still give a writer on another host the benefit of the doubt while it is fresh.
    return ageMs > FOREIGN_STALE_MS;
  }
  if (owner.host === os.hostname()) {
    if (owner.pid === process.pid) return !heldHere.has(lockPath);
    if (!pidAlive(owner.pid)) return true;
    // Alive, but is it the same process? After a reboot or a container restart the pid may belong to another.
    const start = owner.proc_start === undefined ? undefined : processStart(owner.pid);
    return start !== undefined && start !== owner.proc_start;
  }
  return ageMs > FOREIGN_STALE_MS;
}

/**
 * Takes DATA_DIR's lock or throws DataDirLockedError naming the holder. The lock file is
 * written completely under a temporary name and hard-linked into place: link() fails with
 * EEXIST atomically, so two starters can never both win, and nobody reads a half-written file.
 */
export function acquireDataDirLock(dataDir: string, role: string): DataDirLock {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const lockPath = path.resolve(dataDir, LOCK_FILE);
  const procStart = processStart(process.pid);
  const owner: LockOwner = {
    pid: process.pid,
    host: os.hostname(),
    started_at: new Date().toISOString(),
    role,
    ...(procStart ? { proc_start: procStart } : {}),
  };
  const temporary = `${lockPath}.${process.pid}.${Math.random().toString(36).slice(2)}`;
  fs.writeFileSync(temporary, `${JSON.stringify(owner)}\n`, { mode: 0o600 });
  try {
    for (let attempt = 0; ; attempt += 1) {
      try {
        fs.linkSync(temporary, lockPath);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const current = readOwner(lockPath);
        if (attempt >= 2 || !isStale(lockPath, current)) throw new DataDirLockedError(lockPath, current);
        // Break the stale lock by renaming it away first: of two processes breaking it at once,
        // only one rename succeeds, so neither removes a lock the other has just taken.
        try {
          fs.renameSync(lockPath, `${lockPath}.stale.${process.pid}`);
          fs.rmSync(`${lockPath}.stale.${process.pid}`, { force: true });
        } catch {
          // Someone else broke (or took) it first; look again.
        }
      }
    }
  } finally {
    fs.rmSync(temporary, { force: true });
  }
  heldHere.add(lockPath);

  const heartbeat = setInterval(() => {
    const now = new Date();
    try {
      fs.utimesSync(lockPath, now, now);
    } catch {
      // The folder went away; there is nothing left to protect.
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();

  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    clearInterval(heartbeat);
    heldHere.delete(lockPath);
    process.removeListener('exit', release);
    // Only remove the file if it is still ours (it could have been broken by someone who judged it stale).
    const current = readOwner(lockPath);
    if (current && current.pid === owner.pid && current.host === owner.host && current.started_at === owner.started_at) {
      fs.rmSync(lockPath, { force: true });
    }
  };
  // A process that exits without close() (an uncaught error, process.exit) still leaves no lock behind.
  process.on('exit', release);
  return { path: lockPath, owner, release };
}

/** Undefined when DATA_DIR's lock is free or stale; else its holder (owner undefined: the lock file is unreadable). */
export function lockHolder(dataDir: string): { owner: LockOwner | undefined } | undefined {
  const lockPath = path.resolve(dataDir, LOCK_FILE);
  if (!fs.existsSync(lockPath)) return undefined;
  const owner = readOwner(lockPath);
  if (isStale(lockPath, owner)) return undefined;
  return { owner };
}
