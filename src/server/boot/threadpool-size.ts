import os from 'node:os';

/** libuv's pool size for the standalone server: one thread per core, at least 2 (boot/threadpool.ts). */
export function standaloneThreadpoolSize(): number {
  return Math.max(2, os.availableParallelism());
}
