import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireDataDirLock, DataDirLockedError, LOCK_FILE, lockHolder } from '../../src/server/db/data-dir-lock';

/** One owner per embedded database (db/data-dir-lock.ts): who may break a lock, and who may not. */
describe('DATA_DIR lock', () => {
  const dirs: string[] = [];
  const dataDir = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pg-lock-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });
  const writeLock = (dir: string, owner: object, ageMs = 0) => {
    const file = path.join(dir, LOCK_FILE);
    fs.writeFileSync(file, JSON.stringify(owner));
    const then = new Date(Date.now() - ageMs);
    fs.utimesSync(file, then, then);
  };
  const refused = (dir: string) => {
    try {
      acquireDataDirLock(dir, 'test').release();
    } catch (error) {
      expect(error).toBeInstanceOf(DataDirLockedError);
      return (error as DataDirLockedError).owner;
    }
    throw new Error('the lock was taken');
  };

  it('records pid, host and role; a second taker, even in the same process, is refused; release frees it', () => {
    const dir = dataDir();
    const lock = acquireDataDirLock(dir, 'server');
    const written = JSON.parse(fs.readFileSync(path.join(dir, LOCK_FILE), 'utf8')) as Record<string, unknown>;
    expect(written).toMatchObject({ pid: process.pid, host: os.hostname(), role: 'server' });
    if (fs.existsSync('/proc/self/stat')) expect(written.proc_start).toMatch(/^\d+$/);
    expect(fs.statSync(path.join(dir, LOCK_FILE)).mode & 0o777).toBe(0o600);
    expect(refused(dir)).toMatchObject({ pid: process.pid, role: 'server' });
    expect(lockHolder(dir)).toMatchObject({ owner: { pid: process.pid } });
    lock.release();
    expect(fs.existsSync(path.join(dir, LOCK_FILE))).toBe(false);
    expect(lockHolder(dir)).toBeUndefined();
    acquireDataDirLock(dir, 'server').release();
    // No temporary files left behind.
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('breaks a lock whose process is gone, or that names this pid without this process holding it', () => {
    const dir = dataDir();
    writeLock(dir, { pid: 2 ** 22 + 1, host: os.hostname(), started_at: 'x', role: 'server' });
    acquireDataDirLock(dir, 'cli').release();
    // After a container restart the new server often has its predecessor's pid.
    writeLock(dir, { pid: process.pid, host: os.hostname(), started_at: 'x', role: 'server' });
    acquireDataDirLock(dir, 'server').release();
  });

  it.skipIf(!fs.existsSync('/proc/self/stat'))('breaks a lock whose pid now belongs to a process that started at another time', () => {
    const dir = dataDir();
    const stat = fs.readFileSync(`/proc/${process.ppid}/stat`, 'utf8');
    const start = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]!;
    writeLock(dir, { pid: process.ppid, host: os.hostname(), started_at: 'x', role: 'server', proc_start: start });
    expect(refused(dir)).toMatchObject({ pid: process.ppid });
    writeLock(dir, { pid: process.ppid, host: os.hostname(), started_at: 'x', role: 'server', proc_start: `${start}1` });
    acquireDataDirLock(dir, 'server').release();
  });

  it('keeps a lock whose process lives, however old the file (the parent of the test process stands in for a server)', () => {
    const dir = dataDir();
    const parent = process.ppid;
    writeLock(dir, { pid: parent, host: os.hostname(), started_at: 'x', role: 'server' }, 10 * 60_000);
    expect(refused(dir)).toMatchObject({ pid: parent });
  });

  it('another host: refused while refreshed, broken once its holder stopped refreshing it', () => {
    const dir = dataDir();
    writeLock(dir, { pid: 1, host: 'elsewhere.invalid', started_at: 'x', role: 'server' });
    expect(refused(dir)).toMatchObject({ host: 'elsewhere.invalid' });
    writeLock(dir, { pid: 1, host: 'elsewhere.invalid', started_at: 'x', role: 'server' }, 5 * 60_000);
    acquireDataDirLock(dir, 'server').release();
  });

  it('an unreadable lock is respected while fresh and broken when old', () => {
    const dir = dataDir();
    fs.writeFileSync(path.join(dir, LOCK_FILE), 'garbage');
    expect(refused(dir)).toBeUndefined();
    expect(lockHolder(dir)).toEqual({ owner: undefined });
    const old = new Date(Date.now() - 5 * 60_000);
    fs.utimesSync(path.join(dir, LOCK_FILE), old, old);
    acquireDataDirLock(dir, 'server').release();
  });

  it('release leaves alone a lock that is no longer its own', () => {
    const dir = dataDir();
    const lock = acquireDataDirLock(dir, 'server');
    writeLock(dir, { pid: process.ppid, host: os.hostname(), started_at: 'y', role: 'server' });
    lock.release();
    expect(fs.existsSync(path.join(dir, LOCK_FILE))).toBe(true);
  });
});
