import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  createKeyRing,
  decryptSecret,
  encryptSecret,
  envelopeKeyId,
  keyFromBase64,
  SecretDecryptionError,
} from '../../src/server/lib/secret-box';

const keyA = keyFromBase64(Buffer.alloc(32, 1).toString('base64'));
const keyB = keyFromBase64(Buffer.alloc(32, 2).toString('base64'));
const ringA = createKeyRing(keyA);
const context = { purpose: 'two_factor_credentials.secret_ciphertext', subject: 'user-1' };
const plaintext = Buffer.from('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP');

function failure(fn: () => unknown): SecretDecryptionError {
  try {
    fn();
  } catch (error) {
    if (error instanceof SecretDecryptionError) return error;
    throw error;
  }
  throw new Error('expected a SecretDecryptionError');
}

describe('AES-256-GCM secret box', () => {
  it('round-trips and never contains the plaintext', () => {
    const envelope = encryptSecret(ringA, plaintext, context, randomBytes);
    expect(envelope).toMatch(/^v1\.[0-9a-f]{16}\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
    expect(envelope).not.toContain(plaintext.toString());
    expect(decryptSecret(ringA, envelope, context)).toEqual(plaintext);
  });

  it('uses a fresh 96-bit IV each time', () => {
    const ivs = new Set(Array.from({ length: 200 }, () => encryptSecret(ringA, plaintext, context, randomBytes).split('.')[2]));
    expect(ivs.size).toBe(200);
    expect(Buffer.from([...ivs][0]!, 'base64url')).toHaveLength(12);
  });

  it('detects tampering with ciphertext, tag, IV or key id', () => {
    const envelope = encryptSecret(ringA, plaintext, context, randomBytes);
    const parts = envelope.split('.');
    const flip = (s: string) => {
      const bytes = Buffer.from(s, 'base64url');
      bytes[0] = bytes[0]! ^ 1;
      return bytes.toString('base64url');
    };
    for (const index of [2, 3, 4]) {
      const tampered = [...parts];
      tampered[index] = flip(tampered[index]!);
      expect(failure(() => decryptSecret(ringA, tampered.join('.'), context)).reason).toBe('authentication_failed');
    }
    expect(failure(() => decryptSecret(ringA, envelope.replace(keyA.id, keyB.id), context)).reason).toBe('unknown_key');
    expect(failure(() => decryptSecret(ringA, 'JBSWY3DPEHPK3PXP', context)).reason).toBe('malformed');
  });

  it('fails with the wrong key, loudly', () => {
    const envelope = encryptSecret(ringA, plaintext, context, randomBytes);
    const error = failure(() => decryptSecret(createKeyRing(keyB), envelope, context));
    expect(error.reason).toBe('unknown_key');
    expect(error.keyId).toBe(keyA.id);
  });

  it('binds the envelope to its user and column (associated data)', () => {
    const envelope = encryptSecret(ringA, plaintext, context, randomBytes);
    expect(failure(() => decryptSecret(ringA, envelope, { ...context, subject: 'user-2' })).reason).toBe('authentication_failed');
    expect(failure(() => decryptSecret(ringA, envelope, { ...context, purpose: 'other.column' })).reason).toBe('authentication_failed');
  });

  it('decrypts old envelopes with an old key after rotation, and names the key', () => {
    const old = encryptSecret(ringA, plaintext, context, randomBytes);
    const rotated = createKeyRing(keyB, [keyA]);
    expect(decryptSecret(rotated, old, context)).toEqual(plaintext);
    expect(envelopeKeyId(old)).toBe(keyA.id);
    expect(envelopeKeyId(encryptSecret(rotated, plaintext, context, randomBytes))).toBe(keyB.id);
  });
});
