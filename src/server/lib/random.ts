import { randomBytes as nodeRandomBytes } from 'node:crypto';

/** Randomness is a dependency (as in @oslojs/crypto's RandomReader) so tests can pin it. */
export type RandomBytes = (size: number) => Buffer;

export const secureRandomBytes: RandomBytes = (size) => nodeRandomBytes(size);
