import { createRequire } from 'node:module';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';
import type { ProbeReply, ProbeRequest } from './protocol';

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
    process.send?.({ probe: true, id: message.id, reply: snapshot() });
  });
  // The channel must not keep a server alive that was asked to stop.
  process.channel?.unref();
}
