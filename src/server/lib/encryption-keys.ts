import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { RandomBytes } from './random';
import { createKeyRing, keyFromBase64, type KeyRing } from './secret-box';

export type KeySource = 'environment' | 'generated';

export interface ResolvedKeys {
  ring: KeyRing;
  /** `generated`: a development key written into DATA_DIR; system status reports it as a blocker. */
  source: KeySource;
}

export const GENERATED_KEY_FILE = 'app-enc-key';

/**
 * APP_ENC_KEY (+ APP_ENC_KEYS_OLD) when set. Otherwise, outside production only, a key is
 * generated once into DATA_DIR (mode 0600) so `npm start` works with no set-up; config
 * validation already refuses production without APP_ENC_KEY.
 */
export function resolveEncryptionKeys(
  options: { currentKeyBase64: string | undefined; oldKeysBase64: readonly string[]; dataDir: string; isProduction: boolean },
  randomBytes: RandomBytes,
  logger: Logger,
): ResolvedKeys {
  const old = options.oldKeysBase64.map(keyFromBase64);
  if (options.currentKeyBase64) {
    return { ring: createKeyRing(keyFromBase64(options.currentKeyBase64), old), source: 'environment' };
  }
  if (options.isProduction) throw new Error('APP_ENC_KEY is required in production');
  const file = path.join(options.dataDir, GENERATED_KEY_FILE);
  let base64: string;
  if (fs.existsSync(file)) {
    base64 = fs.readFileSync(file, 'utf8').trim();
  } else {
    fs.mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
    base64 = randomBytes(32).toString('base64');
    fs.writeFileSync(file, `${base64}\n`, { mode: 0o600, flag: 'wx' });
  }
  logger.warn(
    { file },
    'APP_ENC_KEY is not set: using a generated development key. Set APP_ENC_KEY (openssl rand -base64 32) before real use; system status reports this as a blocker.',
  );
  return { ring: createKeyRing(keyFromBase64(base64), old), source: 'generated' };
}
