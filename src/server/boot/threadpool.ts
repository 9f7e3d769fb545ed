import { recordThreadpoolPriority, startThreadpoolAtLowPriority } from './threadpool-priority';
import { libuvThreadpoolSize, standaloneThreadpoolSize } from '../lib/threadpool-size';

/**
 * `npm start` sizes libuv's thread pool to the cores (at least 2), unless the operator set
 * UV_THREADPOOL_SIZE. libuv reads the variable once, when its pool starts, and Node's ES module
 * loader starts it while it reads the bundle's imports, before any of the bundle's own code
 * runs; so this runs first, as a CommonJS preload (`node --require dist/server/threadpool.cjs`,
 * built next to the bundle). With no more threads than cores, lib/argon2.ts admits one argon2
 * job more than there are threads: that job waits inside libuv, and a thread that finishes a
 * hash starts it at once instead of idling until the event loop hands it the next one
 * (docs/performance.md, login). Then it starts the pool itself, at a lower priority than the
 * main thread (boot/threadpool-priority.ts). A host app that mounts Proofgate keeps its own pool.
 */
process.env.UV_THREADPOOL_SIZE ??= String(standaloneThreadpoolSize());
// The server reports it at start-up (main.ts): the preload has no logger of its own.
recordThreadpoolPriority(startThreadpoolAtLowPriority(libuvThreadpoolSize()));
