import { createRequire } from 'node:module';
import { constants, monitorEventLoopDelay, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';
import type { GcPause, ProbeReply, ProbeRequest } from './protocol';

/**
 * Benchmark instrumentation, compiled to one JavaScript file by the bench (compileProbePreload)
 * and loaded into a server process with `--import`. It changes nothing the server does and
 * needs no switch in the server:
 *
 * - counts calls into @node-rs/argon2 (hash, verify) by wrapping the CommonJS module's exports
 *   before the server imports it — an ES import of a CommonJS module reads module.exports when
 *   the importer is evaluated, so it gets the wrapped functions;
 * - runs a perf_hooks event-loop delay histogram;
 * - on request, runs a full garbage collection (the idle-memory reading), through V8's gc
 *   function exposed at that moment rather than with --expose-gc at start;
 * - on request, records the garbage collector's pauses until asked for them (bench:tail): off
 *   otherwise, so no other measurement pays for the observer;
 * - answers the bench over the IPC channel the bench opened when it spawned the process
 *   (`process.send`); without one (not spawned by the bench) it only counts.
 */

const require = createRequire(import.meta.url);
const argon2 = require('@node-rs/argon2') as Record<string, unknown>;

const counts = { hash: 0, verify: 0 };
let inFlight = 0;
let maxInFlight = 0;

function wrapAsync(name: 'hash' | 'verify') {
  const original = argon2[name] as (...args: unknown[]) => Promise<unknown>;
  argon2[name] = function wrapped(this: unknown, ...args: unknown[]) {
    counts[name] += 1;
    inFlight += 1;
    if (inFlight > maxInFlight) maxInFlight = inFlight;
    const done = () => {
      inFlight -= 1;
    };
    const result = original.apply(this, args);
    result.then(done, done);
    return result;
  };
}
wrapAsync('hash');
wrapAsync('verify');

// Resolution 10 ms (the default): delays are sampled by a timer, so this is what a request
// waiting for the loop would see, not a per-callback measurement.
const histogram = monitorEventLoopDelay({ resolution: 10 });
histogram.enable();
let cpuMark = process.cpuUsage();
let wallMark = performance.now();

function snapshot(): ProbeReply {
  const cpu = process.cpuUsage(cpuMark);
  const memory = process.memoryUsage();
  const ms = (ns: number) => (Number.isFinite(ns) ? ns / 1e6 : 0);
  return {
    argon2Hash: counts.hash,
    argon2Verify: counts.verify,
    argon2MaxInFlight: maxInFlight,
    eventLoopDelayMs: {
      p50: ms(histogram.percentile(50)),
      p99: ms(histogram.percentile(99)),
      max: ms(histogram.max),
      mean: ms(histogram.mean),
    },
    cpuMs: (cpu.user + cpu.system) / 1000,
    wallMs: performance.now() - wallMark,
    rssBytes: memory.rss,
    heapTotalBytes: memory.heapTotal,
    heapUsedBytes: memory.heapUsed,
    externalBytes: memory.external,
  };
}

// Bounded: a verify run of the full amounts collects about 50 times a second.
const MAX_GC_PAUSES = 100_000;
let gcPauses: GcPause[] = [];
const gcKind = (kind: number | undefined): GcPause['kind'] =>
  kind === constants.NODE_PERFORMANCE_GC_MAJOR ? 'major' : kind === constants.NODE_PERFORMANCE_GC_MINOR ? 'minor' : 'other';
const gcObserver = new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if (gcPauses.length >= MAX_GC_PAUSES) break;
    const { detail } = entry as PerformanceEntry & { detail?: { kind?: number } };
    gcPauses.push({ startMs: performance.timeOrigin + entry.startTime, durationMs: entry.duration, kind: gcKind(detail?.kind) });
  }
});

/** Starts or ends the record of garbage-collection pauses; `take` hands over what was recorded. */
function gcLog(command: 'start' | 'take'): GcPause[] | undefined {
  if (command === 'start') {
    gcPauses = [];
    gcObserver.observe({ entryTypes: ['gc'] });
    return undefined;
  }
  gcObserver.disconnect();
  const taken = gcPauses;
  gcPauses = [];
  return taken;
}

/** A full collection now; the server starts without --expose-gc, so the function is exposed when asked for. */
function collectGarbage(): void {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  gc();
}

if (typeof process.send === 'function') {
  process.on('message', (message: ProbeRequest) => {
    if (!message || typeof message !== 'object' || message.probe !== true) return;
    if (message.collectGarbage) collectGarbage();
    if (message.reset) {
      counts.hash = 0;
      counts.verify = 0;
      maxInFlight = inFlight;
      histogram.reset();
      cpuMark = process.cpuUsage();
      wallMark = performance.now();
    }
    const pauses = message.gcLog ? gcLog(message.gcLog) : undefined;
    process.send?.({ probe: true, id: message.id, reply: pauses ? { ...snapshot(), gcPauses: pauses } : snapshot() });
  });
  // The channel must not keep a server alive that was asked to stop.
  process.channel?.unref();
}
