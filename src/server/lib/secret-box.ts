import { createCipheriv, createDecipheriv, createHash } from 'node:crypto';
import type { RandomBytes } from './random';

/**
 * AES-256-GCM envelopes for secrets at rest (TOTP secrets):
 *
 *   v1.<key id>.<iv>.<ciphertext>.<tag>        (base64url parts)
 *
 * - a fresh 96-bit IV per encryption (NIST SP 800-38D §8.2: 96-bit IVs, never reused under one key);
 * - associated data binds the envelope to its row and column (`purpose` + `subject`, e.g. the
 *   user id), so a ciphertext copied to another user's row or another column does not decrypt;
 * - the key id names the key, so keys can be rotated while old envelopes stay readable.
 */
export const ENVELOPE_VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

export interface EncryptionKey {
  id: string;
  key: Buffer;
}

export interface KeyRing {
  current: EncryptionKey;
  /** Every key that may decrypt, current included, by id. */
  byId: ReadonlyMap<string, EncryptionKey>;
}

export interface SecretContext {
  purpose: string;
  subject: string;
}

export type DecryptFailure = 'malformed' | 'unknown_key' | 'authentication_failed';

export class SecretDecryptionError extends Error {
  constructor(readonly reason: DecryptFailure, readonly keyId: string | undefined) {
    super(`secret cannot be decrypted: ${reason}`);
    this.name = 'SecretDecryptionError';
  }
}

/** A stable, non-secret name for a key: the first 8 bytes of a domain-separated SHA-256. */
export function keyIdFor(key: Buffer): string {
  return createHash('sha256').update('proofgate key id\u0000').update(key).digest('hex').slice(0, 16);
}

export function keyFromBase64(base64: string): EncryptionKey {
  const key = Buffer.from(base64, 'base64');
  if (key.length !== KEY_BYTES) throw new TypeError('An encryption key must be 32 bytes');
  return { id: keyIdFor(key), key };
}

export function createKeyRing(current: EncryptionKey, old: readonly EncryptionKey[] = []): KeyRing {
  const byId = new Map<string, EncryptionKey>();
  for (const key of [current, ...old]) byId.set(key.id, key);
  return { current, byId };
}

function associatedData(context: SecretContext, keyId: string): Buffer {
  return Buffer.from(`proofgate:${ENVELOPE_VERSION}:${context.purpose}:${context.subject}:${keyId}`, 'utf8');
}

export function encryptSecret(ring: KeyRing, plaintext: Buffer, context: SecretContext, randomBytes: RandomBytes): string {
  const { id, key } = ring.current;
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(associatedData(context, id));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [ENVELOPE_VERSION, id, iv.toString('base64url'), ciphertext.toString('base64url'), tag.toString('base64url')].join('.');
}

export function envelopeKeyId(envelope: string): string | undefined {
  const parts = envelope.split('.');
  return parts.length === 5 && parts[0] === ENVELOPE_VERSION ? parts[1] : undefined;
}

/** Throws SecretDecryptionError: a wrong key or tampered value must fail loudly, never read as "no secret". */
export function decryptSecret(ring: KeyRing, envelope: string, context: SecretContext): Buffer {
  const parts = envelope.split('.');
  if (parts.length !== 5 || parts[0] !== ENVELOPE_VERSION) throw new SecretDecryptionError('malformed', undefined);
  const [, keyId, ivPart, ciphertextPart, tagPart] = parts as [string, string, string, string, string];
  const entry = ring.byId.get(keyId);
  if (!entry) throw new SecretDecryptionError('unknown_key', keyId);
  const iv = Buffer.from(ivPart, 'base64url');
  const tag = Buffer.from(tagPart, 'base64url');
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new SecretDecryptionError('malformed', keyId);
  try {
    const decipher = createDecipheriv('aes-256-gcm', entry.key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(associatedData(context, keyId));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(Buffer.from(ciphertextPart, 'base64url')), decipher.final()]);
  } catch {
    throw new SecretDecryptionError('authentication_failed', keyId);
  }
}
