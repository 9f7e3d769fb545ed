import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  BACKUP_CODE_ALPHABET,
  BACKUP_CODE_ENTROPY_BITS,
  generateBackupCodes,
  parseBackupCode,
} from '../../src/server/twofactor/backup-codes';

describe('backup codes', () => {
  it('are 10 human-friendly xxxxx-xxxxx-xxxxx codes without ambiguous characters', () => {
    const codes = generateBackupCodes(randomBytes);
    expect(codes).toHaveLength(10);
    for (const code of codes) {
      expect(code.display).toMatch(/^[0-9a-hjkmnp-tv-z]{5}-[0-9a-hjkmnp-tv-z]{5}-[0-9a-hjkmnp-tv-z]{5}$/);
      expect(code.display).not.toMatch(/[ilou]/);
      expect(code.selector).toBe(code.normalized.slice(0, 5));
    }
    expect(new Set(codes.map((c) => c.selector)).size).toBe(10);
  });

  it('carry 75 bits, of which at least 50 are secret (beyond the stored selector)', () => {
    expect(BACKUP_CODE_ALPHABET).toHaveLength(32);
    expect(BACKUP_CODE_ENTROPY_BITS).toBe(75);
    const secretBits = BACKUP_CODE_ENTROPY_BITS - 5 * Math.log2(32);
    expect(secretBits).toBeGreaterThanOrEqual(50);
  });

  it('use every symbol about equally (no modulo bias)', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 400; i += 1) {
      for (const code of generateBackupCodes(randomBytes)) {
        for (const ch of code.normalized) counts.set(ch, (counts.get(ch) ?? 0) + 1);
      }
    }
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    expect(counts.size).toBe(32);
    for (const count of counts.values()) expect(Math.abs(count / total - 1 / 32)).toBeLessThan(0.006);
  });

  it('parse what people type: case, spaces, dashes and Crockford look-alikes', () => {
    const [code] = generateBackupCodes(randomBytes);
    const spaced = code!.display.toUpperCase().replace(/-/g, ' ');
    expect(parseBackupCode(spaced)).toEqual({ normalized: code!.normalized, selector: code!.selector });
    expect(parseBackupCode('0o1il-aaaaa-bbbbb')?.normalized).toBe('00111aaaaabbbbb');
    for (const bad of ['', 'abc', 'abcde-fghjk', 'abcde-fghjk-mnpqr-s', 'abcde-fghjk-mnpqu', '123456']) {
      expect(parseBackupCode(bad)).toBeNull();
    }
  });
});
