/** Messages between the bench and the probe preloaded into a server process (IPC channel). */
export interface ProbeRequest {
  probe: true;
  id: number;
  /** Zero the counters, the event-loop histogram and the CPU mark before answering. */
  reset: boolean;
  /** Run a full garbage collection before answering (the idle-memory reading). */
  collectGarbage?: boolean;
  /**
   * `start`: record every garbage-collection pause from now on (bench:tail); `take`: hand the
   * pauses recorded since `start` over in the reply and stop recording.
   */
  gcLog?: 'start' | 'take';
}

/** One garbage-collection pause of the server's main thread, as perf_hooks reports it. */
export interface GcPause {
  /** Wall-clock start, epoch milliseconds (performance.timeOrigin + startTime). */
  startMs: number;
  durationMs: number;
  /** `major`: a mark-compact; `minor`: a scavenge; `other`: an incremental-marking step or weak callbacks. */
  kind: 'major' | 'minor' | 'other';
}

export interface ProbeReply {
  argon2Hash: number;
  argon2Verify: number;
  /** Most argon2 calls in flight at once since the last reset (bounded by libuv's threadpool queue). */
  argon2MaxInFlight: number;
  eventLoopDelayMs: { p50: number; p99: number; max: number; mean: number };
  /** Process CPU time (user + system, all threads) and wall time since the last reset. */
  cpuMs: number;
  wallMs: number;
  rssBytes: number;
  /** V8 and off-heap memory when the reply was made (process.memoryUsage()). */
  heapTotalBytes: number;
  heapUsedBytes: number;
  externalBytes: number;
  /** Only in the reply to `gcLog: 'take'`. */
  gcPauses?: GcPause[];
}

export interface ProbeEnvelope {
  probe: true;
  id: number;
  reply: ProbeReply;
}
