import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { THREADPOOL_NICE_STEPS } from '../../src/server/boot/threadpool-priority';
import { standaloneThreadpoolSize } from '../../src/server/lib/threadpool-size';
import { bundleForNode } from '../../tools/build/server-bundle';

const run = promisify(execFile);
// The child starts at this process's nice value; the pool goes ten steps below it.
const ownNice = os.getPriority();
const POOL_NICE = Math.min(19, ownNice + THREADPOOL_NICE_STEPS);
const repoRoot = path.resolve(import.meta.dirname, '../..');

/**
 * What a process started with `npm start`'s preload reports about itself, read from /proc
 * after argon2 hashes: every thread's nice value and CPU ticks, and the preload's verdict.
 */
const REPORT = `
const fs = require('node:fs');
const { hash } = require('@node-rs/argon2');
const threads = () => fs.readdirSync('/proc/self/task').map((id) => {
  const stat = fs.readFileSync('/proc/self/task/' + id + '/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { id: Number(id), nice: Number(fields[16]), ticks: Number(fields[11]) + Number(fields[12]) };
});
const before = threads();
// Twenty hashes: CPU time is counted in 10 ms ticks, and one hash takes about that long.
const hashes = Array.from({ length: 20 }, (_, i) => hash('a password ' + i, { memoryCost: 19456, timeCost: 2, parallelism: 1 }));
Promise.all(hashes).then(() => {
  console.log(JSON.stringify({ pid: process.pid, before, after: threads(), verdict: globalThis.proofgateThreadpoolPriority }));
});
`;

interface Report {
  pid: number;
  before: Array<{ id: number; nice: number; ticks: number }>;
  after: Array<{ id: number; nice: number; ticks: number }>;
  verdict: { lowered: boolean; threadIds?: number[]; reason?: string };
}

let dir: string;
let preload: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'proofgate-preload-'));
  preload = path.join(dir, 'threadpool.cjs');
  await bundleForNode(path.join(repoRoot, 'src/server/boot/threadpool.ts'), preload, 'cjs');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function startWith(env: NodeJS.ProcessEnv, extraPreload?: string): Promise<Report> {
  const requires = [...(extraPreload ? ['--require', extraPreload] : []), '--require', preload];
  const { UV_THREADPOOL_SIZE: _inherited, ...base } = process.env;
  const { stdout } = await run(process.execPath, [...requires, '-e', REPORT], { cwd: repoRoot, env: { ...base, ...env } });
  return JSON.parse(stdout) as Report;
}

describe.skipIf(process.platform !== 'linux')("npm start's thread-pool preload", () => {
  it('starts a pool of one thread per core (at least 2) below the main thread, and the hash runs there', async () => {
    const report = await startWith({});
    const pool = report.after.filter((thread) => thread.nice === POOL_NICE);
    expect(report.verdict).toEqual({ lowered: true, threadIds: pool.map((thread) => thread.id) });
    expect(pool).toHaveLength(standaloneThreadpoolSize());
    // Only the pool: the main thread and V8's helper threads keep the process's priority.
    expect(report.after.filter((thread) => thread.nice !== POOL_NICE).every((thread) => thread.nice === ownNice)).toBe(true);
    expect(report.after.find((thread) => thread.id === report.pid)?.nice).toBe(ownNice);
    // The pool was running before the hash, no thread was added for it, and it did the hashing.
    expect(report.after.map((thread) => thread.id)).toEqual(report.before.map((thread) => thread.id));
    const poolTicks = (threads: Report['before']) =>
      threads.filter((thread) => thread.nice === POOL_NICE).reduce((sum, thread) => sum + thread.ticks, 0);
    expect(poolTicks(report.after)).toBeGreaterThan(poolTicks(report.before));
  });

  it("keeps the operator's UV_THREADPOOL_SIZE and lowers exactly that many threads", async () => {
    const report = await startWith({ UV_THREADPOOL_SIZE: '3' });
    expect(report.verdict.lowered).toBe(true);
    expect(report.after.filter((thread) => thread.nice === POOL_NICE)).toHaveLength(3);
  });

  it('changes nothing when the pool was started before it, since its threads cannot be told apart then', async () => {
    const earlier = path.join(dir, 'starts-the-pool.cjs');
    fs.writeFileSync(earlier, "require('node:fs').stat('.', () => {});\n");
    const report = await startWith({}, earlier);
    expect(report.verdict.lowered).toBe(false);
    expect(report.verdict.reason).toMatch(/already running/);
    expect(report.after.every((thread) => thread.nice === ownNice)).toBe(true);
  });
});
