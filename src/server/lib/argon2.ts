import { hash, verify, type Algorithm } from '@node-rs/argon2';

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

export function hashSecret(secret: string): Promise<string> {
  return hash(secret, ARGON2ID_OPTIONS);
}

/** Constant-time inside the library; a malformed stored hash counts as a mismatch, never a throw. */
export async function verifySecret(phcHash: string, secret: string): Promise<boolean> {
  try {
    return await verify(phcHash, secret);
  } catch {
    return false;
  }
}
