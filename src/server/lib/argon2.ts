import os from 'node:os';
import { hash, verify, type Algorithm } from '@node-rs/argon2';
import { AppError } from '../core/app-error';
import { createFairQueue, type FairQueueStats } from './fair-queue';
import { libuvThreadpoolSize } from './threadpool-size';

/**
 * argon2id at the OWASP Password Storage Cheat Sheet's first recommended setting
 * (m = 19 MiB, t = 2, p = 1). @node-rs/argon2 runs each hash on libuv's thread pool,
 * so hashing never blocks the event loop.
 */
export const ARGON2ID_OPTIONS = {
  algorithm: 2 as Algorithm, // Algorithm.Argon2id (a const enum, unusable under isolatedModules)
  memoryCost: 19_456, // KiB = 19 MiB
  timeCost: 2,
  parallelism: 1,
  outputLen: 32,
} as const;

/**
 * How many argon2 jobs are handed to libuv at once. Never more running than cores: libuv's pool
 * has 4 threads by default, and on a 2-core machine 4 memory-hard hashes at once take turns on
 * the cores, each holding its 19 MiB, and crowd out the event loop (against no limit, a quiet
 * 2-core machine measured 9 % less CPU per login, 31 MB lower peak RSS and an event-loop p99 of
 * 17 ms instead of 24 ms). When the pool itself has no more threads than cores (the standalone
 * server sizes it so: boot/threadpool.ts), one job more than the pool waits inside libuv, so a
 * thread that finishes a hash starts the next at once instead of idling until the event loop
 * admits it; still at most one hash per thread runs. Every caller queues the same way (the
 * dummy hashes for unknown emails and selectors too), so waiting time reveals nothing about the account.
 */
export function argon2Admission(cores: number, threadpoolSize: number): number {
  return threadpoolSize <= cores ? threadpoolSize + 1 : Math.max(1, cores);
}

export const ARGON2_MAX_CONCURRENT = argon2Admission(os.availableParallelism(), libuvThreadpoolSize());

/**
 * Waiting argon2 jobs one client (IP, IPv6 /64) may have, and in all; beyond, 503 + Retry-After.
 * One address can be many people (an office or carrier NAT), so its lane holds 16 — about a
 * quarter-second of hashing on two cores. The total bounds memory (19 MiB is allocated only
 * while a job runs, but every waiting request holds its socket) and the worst wait.
 */
export const ARGON2_MAX_QUEUED_PER_CLIENT = 16;
export const ARGON2_MAX_QUEUED = 128;

/**
 * A client whose own lane is full is refused after as long as its Retry-After tells it to wait
 * (1 s), not at once: a flood that re-sends on every refusal then costs the server about one
 * request per connection per second instead of a refusal loop that took the cores the hashes
 * need (one address's registration flood: 1,200 refusals a second, and a legitimate login on
 * another address about 5× its quiet latency; docs/performance.md, Flood). At most 2,048 are
 * held at once; beyond, refusals are immediate again. 512 held let a flood from 800
 * connections past the bound: the rest of its refusals came back at once, and a legitimate
 * login waited 23× its quiet latency; holding them all changed no peak RSS (about 169 MB with
 * 800 connections open either way).
 */
export const ARGON2_OVERFLOW_REFUSAL_DELAY_MS = 1000;
export const ARGON2_MAX_HELD_REFUSALS = 2048;

export interface Argon2PoolOptions {
  maxConcurrent: number;
  maxQueuedPerClient: number;
  maxQueued: number;
  /** See FairQueueOptions; 0 or absent: every refusal at once. */
  overflowRefusalDelayMs?: number;
  maxHeldRefusals?: number;
}

/**
 * argon2 behind a fair, bounded queue (lib/fair-queue.ts). Before it, one first-in-first-out
 * queue served everyone: 800 registrations from one IP put a real login from another IP 16.7 s
 * behind them. Now each client key (ipLimiterKey of the request's IP) waits in its own lane and
 * the lanes take turns, and a full lane or queue answers 503 SERVICE_UNAVAILABLE with
 * Retry-After at once. The client key is optional: calls without one share one lane, bounded
 * only by `maxQueued` (see docs/performance.md for which call sites pass one).
 */
export interface Argon2Pool {
  hash(secret: string, clientKey?: string): Promise<string>;
  /** Constant-time inside the library; a malformed stored hash counts as a mismatch, never a throw. Shedding does throw. */
  verify(phcHash: string, secret: string, clientKey?: string): Promise<boolean>;
  stats(): FairQueueStats;
}

export function createArgon2Pool(options: Argon2PoolOptions): Argon2Pool {
  const queue = createFairQueue({
    ...options,
    shedError: () =>
      new AppError('SERVICE_UNAVAILABLE', { detail: 'Too many password checks are waiting; try again shortly', retryAfterSeconds: 1 }),
  });
  return {
    hash: (secret, clientKey) => queue.run(clientKey, () => hash(secret, ARGON2ID_OPTIONS)),
    // The catch sits inside the job: a shed job must reach the caller as 503, not as "wrong password".
    verify: (phcHash, secret, clientKey) =>
      queue.run(clientKey, async () => {
        try {
          return await verify(phcHash, secret);
        } catch {
          return false;
        }
      }),
    stats: () => queue.stats(),
  };
}

/** The process's pool: one per process, because the cores it protects are shared by everything in it. */
export const argon2Pool = createArgon2Pool({
  maxConcurrent: ARGON2_MAX_CONCURRENT,
  maxQueuedPerClient: ARGON2_MAX_QUEUED_PER_CLIENT,
  maxQueued: ARGON2_MAX_QUEUED,
  overflowRefusalDelayMs: ARGON2_OVERFLOW_REFUSAL_DELAY_MS,
  maxHeldRefusals: ARGON2_MAX_HELD_REFUSALS,
});

/** `clientKey`: ipLimiterKey of the requesting client, so its flood waits in its own lane. */
export function hashSecret(secret: string, clientKey?: string): Promise<string> {
  return argon2Pool.hash(secret, clientKey);
}

/** Constant-time inside the library; a malformed stored hash counts as a mismatch, never a throw. */
export function verifySecret(phcHash: string, secret: string, clientKey?: string): Promise<boolean> {
  return argon2Pool.verify(phcHash, secret, clientKey);
}
