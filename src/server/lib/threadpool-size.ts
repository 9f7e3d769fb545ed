import os from 'node:os';

/** libuv's pool size for the standalone server: one thread per core, at least 2 (boot/threadpool.ts). */
export function standaloneThreadpoolSize(): number {
  return Math.max(2, os.availableParallelism());
}

/**
 * libuv's pool size as the process started it, read from UV_THREADPOOL_SIZE exactly as libuv
 * 1.46 reads it: unset, 4; else C's atoi of the text, where 0 (or text that is not a number)
 * means 1 and anything above 1024, or negative (an unsigned count), means 1024.
 */
export function libuvThreadpoolSize(env: NodeJS.ProcessEnv = process.env): number {
  const text = env.UV_THREADPOOL_SIZE;
  if (text === undefined) return 4;
  const parsed = Number.parseInt(text.trimStart(), 10); // atoi: leading blanks, a sign, digits
  const size = Number.isNaN(parsed) ? 0 : parsed;
  if (size === 0) return 1;
  return size < 0 || size > 1024 ? 1024 : size;
}
