/**
 * A bounded concurrency limiter that is fair between clients: at most `maxConcurrent` jobs
 * run; the rest wait in one sub-queue per client key, and a freed slot goes to the sub-queues
 * in turn (round-robin), not to whoever queued first. A client flooding the queue therefore
 * delays another client's job by at most one of its own jobs per slot, instead of by its
 * whole backlog. Waiting is bounded too: over `maxQueuedPerClient` waiting jobs for one key,
 * or `maxQueued` in all, a job is shed (rejected at once) instead of queued, so a flood turns
 * into quick refusals rather than ever-growing latency for everyone — except for the client
 * that overfills its own lane, whose refusal can be held back (`overflowRefusalDelayMs`).
 */

import { createRefusalHold } from './refusal-hold';

export interface FairQueueOptions {
  maxConcurrent: number;
  /** Waiting jobs one client key may have (running ones do not count). */
  maxQueuedPerClient: number;
  /** Waiting jobs in all. */
  maxQueued: number;
  /** The error a shed job is rejected with. */
  shedError: () => Error;
  /**
   * A job refused because its own client already has `maxQueuedPerClient` waiting is refused
   * this long after it arrived instead of at once (0, the default: at once). A client that keeps
   * its lane full and sends again as soon as it is refused (one request per connection, as flood
   * tools do) then sends about one request per connection per delay instead of as many as the
   * server can refuse, and the CPU those refusals took — the request, its store round trips, the
   * answer, and the flooder's own work on a shared machine — goes back to the hashes everyone
   * waits for. Only that refusal is held: the unattributed lane has no per-client cap, and a job
   * refused because the whole queue is full may be a light client's.
   */
  overflowRefusalDelayMs?: number;
  /** Held refusals at most at once (each holds a request and its socket); beyond, they are answered at once. */
  maxHeldRefusals?: number;
}

export interface FairQueueStats {
  running: number;
  queued: number;
  /** Jobs that got a slot since the queue was made. */
  started: number;
  /** Jobs refused (never started) since the queue was made. */
  shed: number;
  /** Refusals held back right now (overflowRefusalDelayMs). */
  heldRefusals: number;
}

export interface FairQueue {
  /**
   * Runs `job` once a slot is free. `clientKey` undefined is the shared lane of callers that
   * do not say who they are: it takes its turn like one client and is bounded only by
   * `maxQueued` (its callers are many people, so a per-client cap would shed legitimate work).
   */
  run<T>(clientKey: string | undefined, job: () => Promise<T>): Promise<T>;
  stats(): FairQueueStats;
}

interface Waiter {
  start(): void;
  shed(error: Error): void;
}

const UNATTRIBUTED = '\u0000unattributed';

/** The unattributed lane is bounded only by the whole queue's cap. */
function waitingCap(lane: string, maxQueuedPerClient: number): number {
  return lane === UNATTRIBUTED ? Number.POSITIVE_INFINITY : maxQueuedPerClient;
}

/** The lane's first waiter; a lane with jobs left goes to the back of the round. */
function takeFirst(lanes: Map<string, Waiter[]>, lane: string, waiters: Waiter[]): Waiter {
  const waiter = waiters.shift()!;
  lanes.delete(lane);
  if (waiters.length > 0) lanes.set(lane, waiters);
  return waiter;
}

/** Rejects refused jobs: an overflow of the client's own lane after the delay while fewer than the bound are held, the rest at once. */
function createRefusals(options: FairQueueOptions) {
  const hold = createRefusalHold({ delayMs: options.overflowRefusalDelayMs ?? 0, maxHeld: options.maxHeldRefusals ?? 0 });
  return {
    refuse(ownLaneFull: boolean): Promise<never> {
      const error = options.shedError();
      if (!ownLaneFull) return Promise.reject(error);
      return new Promise<never>((_, reject) => {
        if (!hold.tryHold(() => reject(error))) reject(error);
      });
    },
    held: () => hold.held(),
  };
}

export function createFairQueue(options: FairQueueOptions): FairQueue {
  const { maxConcurrent, maxQueuedPerClient, maxQueued } = options;
  // Map iteration order is insertion order: the first lane is the next to be served, and a
  // served lane with jobs left is re-inserted at the end. That is the round-robin.
  const lanes = new Map<string, Waiter[]>();
  let running = 0;
  let queued = 0;
  let started = 0;
  let shed = 0;
  const refusals = createRefusals(options);
  function refuse(ownLaneFull: boolean): Promise<never> {
    shed += 1;
    return refusals.refuse(ownLaneFull);
  }

  /**
   * The queue is full: make room by shedding the newest job of the client with the most
   * waiting, when that client has more waiting than the newcomer's would then have. So a light
   * client is never refused while a heavy one holds the places.
   */
  function makeRoomFor(lane: string): boolean {
    const mine = lanes.get(lane)?.length ?? 0;
    let heaviest: [string, Waiter[]] | undefined;
    for (const entry of lanes) if (!heaviest || entry[1].length > heaviest[1].length) heaviest = entry;
    if (!heaviest || heaviest[0] === lane || heaviest[1].length <= mine + 1) return false;
    const evicted = heaviest[1].pop()!;
    queued -= 1;
    if (heaviest[1].length === 0) lanes.delete(heaviest[0]);
    shed += 1;
    evicted.shed(options.shedError());
    return true;
  }

  function admit(lane: string): Promise<void> | undefined {
    if (running < maxConcurrent && queued === 0) {
      running += 1;
      started += 1;
      return undefined;
    }
    const waiters = lanes.get(lane) ?? [];
    if (waiters.length >= waitingCap(lane, maxQueuedPerClient)) return refuse(true);
    if (queued >= maxQueued && !makeRoomFor(lane)) return refuse(false);
    return new Promise<void>((resolve, reject) => {
      waiters.push({ start: resolve, shed: reject });
      queued += 1;
      if (!lanes.has(lane)) lanes.set(lane, waiters);
    });
  }

  function release() {
    const next = lanes.entries().next();
    if (next.done) {
      running -= 1;
      return;
    }
    const [lane, waiters] = next.value;
    const waiter = takeFirst(lanes, lane, waiters);
    queued -= 1;
    started += 1;
    waiter.start(); // the slot passes straight to it: `running` is unchanged
  }

  return {
    async run(clientKey, job) {
      const waiting = admit(clientKey ?? UNATTRIBUTED);
      if (waiting) await waiting;
      try {
        return await job();
      } finally {
        release();
      }
    },
    stats: () => ({ running, queued, started, shed, heldRefusals: refusals.held() }),
  };
}
