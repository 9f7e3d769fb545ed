import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type ProofgateServices } from '../../src/server/app';
import { keysCheck, keysRotate } from '../../src/server/cli/key-commands';
import { userResetTwoFactor } from '../../src/server/cli/user-commands';
import { loadConfig } from '../../src/server/config';
import { createLogger } from '../../src/server/lib/logger';
import { encryptSecret, envelopeKeyId } from '../../src/server/lib/secret-box';
import { totpSecretContext } from '../../src/server/twofactor/service';
import { generateTotpSecretBase32 } from '../../src/server/twofactor/totp';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const KEY_A = Buffer.alloc(32, 0xa1).toString('base64');
const KEY_B = Buffer.alloc(32, 0xb2).toString('base64');
const USERS = 120;

let database: TestDatabase;
const open: ProofgateServices[] = [];

async function servicesWith(env: Record<string, string>) {
  const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: '/nonexistent-proofgate-test-data', DATABASE_URL: database.databaseUrl, ...env });
  const services = await createServices(config, { logger: createLogger('silent'), ...(database.pglite ? { pglite: database.pglite } : {}) });
  open.push(services);
  return services;
}

beforeAll(async () => {
  database = await createTestDatabase();
  const seed = await servicesWith({ APP_ENC_KEY: KEY_A });
  for (let i = 0; i < USERS; i += 1) {
    const user = await seed.users.insert({ email: `rotate-${i}@example.test`, passwordHash: '$argon2id$placeholder', role: 'user' });
    const secret = generateTotpSecretBase32(randomBytes);
    const envelope = encryptSecret(seed.keys.ring, Buffer.from(secret), totpSecretContext(user!.id), randomBytes);
    await seed.twoFactorStore.upsertPendingCredential(user!.id, envelope, new Date());
  }
});

afterAll(async () => {
  for (const services of open) await services.close();
  await database?.drop();
});

describe('keys:rotate and keys:check', () => {
  it('rotates ≥100 secrets to a new key, survives an interrupted run, and is idempotent', async () => {
    const before = await servicesWith({ APP_ENC_KEY: KEY_A });
    const keyA = before.keys.ring.current.id;
    const checkA = await keysCheck(before, []);
    expect(checkA.exitCode).toBe(0);
    expect(checkA.output).toContain(`key ${keyA}: ${USERS} (current)`);

    const rotating = await servicesWith({ APP_ENC_KEY: KEY_B, APP_ENC_KEYS_OLD: KEY_A });
    const keyB = rotating.keys.ring.current.id;

    // "Interrupted": the first run stops after 50 rows.
    const partial = await keysRotate(rotating, ['--limit', '50']);
    expect(partial.exitCode).toBe(0);
    expect(partial.output).toContain('rotated 50');
    expect(partial.output).toContain('run keys:rotate again');

    // Midway every secret still decrypts: 50 under B, 70 under A.
    const midway = await keysCheck(rotating, []);
    expect(midway.exitCode).toBe(0);
    expect(midway.output).toContain(`key ${keyB}: 50 (current)`);
    expect(midway.output).toContain(`key ${keyA}: ${USERS - 50} (old, configured)`);

    const rest = await keysRotate(rotating, []);
    expect(rest.output).toContain(`rotated ${USERS - 50}, already current 50`);
    const again = await keysRotate(rotating, []);
    expect(again.output).toContain(`rotated 0, already current ${USERS}`);

    const rows = await rotating.database.query<{ secret_ciphertext: string }>('select secret_ciphertext from two_factor_credentials');
    expect(rows.every((r) => envelopeKeyId(r.secret_ciphertext) === keyB)).toBe(true);

    // The old key can now be dropped.
    const onlyB = await servicesWith({ APP_ENC_KEY: KEY_B });
    const final = await keysCheck(onlyB, []);
    expect(final.exitCode).toBe(0);
    expect(final.output).toContain('OK: every secret decrypts');

    const events = await onlyB.database.query<{ type: string }>("select type from security_events where type = 'keys.rotated'");
    expect(events.length).toBe(3);
  });

  it('keys:check fails, naming the unknown key, when the configured keys cannot read a secret', async () => {
    const wrong = await servicesWith({ APP_ENC_KEY: Buffer.alloc(32, 0xcc).toString('base64') });
    const report = await keysCheck(wrong, []);
    expect(report.exitCode).toBe(1);
    expect(report.output).toContain('(NOT CONFIGURED)');
    expect(report.output).toContain(`FAIL: ${USERS} secret(s) do not decrypt`);
  });
});

describe('user:reset-2fa', () => {
  it('removes the factor and all sessions of the user, and audits it', async () => {
    const services = await servicesWith({ APP_ENC_KEY: KEY_B });
    const user = await services.users.findByEmail('rotate-7@example.test');
    await services.sessions.issue(user!, 2, { ip: '127.0.0.1', userAgent: 'test', requestId: 'test' });
    const result = await userResetTwoFactor(services, ['--email', 'ROTATE-7@example.test']);
    expect(result.output).toContain('removed two-factor credential');
    expect(result.output).toContain('revoked 1 session');
    expect(await services.twoFactorStore.getCredential(user!.id)).toBeUndefined();
    const audit = await services.database.query("select 1 from security_events where type = 'admin.2fa_reset' and user_id = $1", [user!.id]);
    expect(audit).toHaveLength(1);
  });
});
