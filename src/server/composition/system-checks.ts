import { countPendingMigrations } from '../db/migrate';
import { twilioStatusCheck } from '../integrations/status-check';
import type { ProofgateServices } from '../services';
import type { ReadinessCheck } from '../system/readiness';
import type { StatusCheck } from '../system/status';
import {
  adminTwoFactorCheck,
  cookieSecurityCheck,
  encryptionKeyCheck,
  limiterPersistenceCheck,
  limiterStoreCheck,
  migrationsCheck,
  storedSecretsCheck,
} from '../system/status-checks';

/** /readyz: can this instance serve (database reachable, migrations applied, limiter store up)? */
export function readinessChecks({ database, limiterStore }: ProofgateServices): ReadinessCheck[] {
  return [
    {
      name: 'database',
      run: async () => {
        await database.query('select 1');
        return { ok: true };
      },
    },
    {
      name: 'migrations',
      run: async () => {
        const pending = await countPendingMigrations(database);
        return pending === 0 ? { ok: true } : { ok: false, detail: `${pending} pending` };
      },
    },
    {
      name: 'limiter_store',
      run: async () => {
        await limiterStore.ping();
        return { ok: true, detail: limiterStore.kind };
      },
    },
  ];
}

/** System status: each check may report blockers; see system/status.ts for blocked vs degraded. */
export function statusChecks(services: ProofgateServices): StatusCheck[] {
  const { config, database, limiterStore } = services;
  return [
    twilioStatusCheck(services.integrations, config.twilio.timeoutMs, config.sms),
    services.mail.statusCheck(config.publicUrl),
    encryptionKeyCheck(services.keys, config.isProduction),
    storedSecretsCheck(services.twoFactorStore, services.keys),
    adminTwoFactorCheck(services.users, config.adminRequire2fa),
    migrationsCheck(database),
    limiterStoreCheck(limiterStore),
    limiterPersistenceCheck(limiterStore, config.isProduction),
    cookieSecurityCheck({ isProduction: config.isProduction, publicUrl: config.publicUrl }),
  ];
}
