import type { Redis } from 'ioredis';

/**
 * As rate-limiter-flexible's `rejectIfRedisNotReady` does for the library's own commands: fail
 * at once while the connection is down (the client queues nothing: enableOfflineQueue is off),
 * so the route answers 503 instead of waiting. Every script of our own calls this first.
 */
export function rejectIfRedisNotReady(client: Pick<Redis, 'status'>): void {
  if (client.status !== 'ready') throw new Error(`redis ${client.status}`);
}
