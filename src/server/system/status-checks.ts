import ipaddr from 'ipaddr.js';
import type { DatabaseHandle } from '../db/client';
import { countPendingMigrations } from '../db/migrate';
import type { ResolvedKeys } from '../lib/encryption-keys';
import type { LimiterStore } from '../limits/limiter-store';
import type { TwoFactorStore } from '../twofactor/store';
import type { UserStore } from '../auth/user-store';
import type { Blocker, StatusCheck } from './status';

/** The system status checks that are not an integration's; app.ts lists which ones run. */

const checkFailed = (name: string): Blocker => ({
  code: 'STATUS_CHECK_FAILED',
  severity: 'blocked',
  message: `The ${name} check could not run, so it cannot be shown to be safe`,
  fix: 'Check that the database is reachable (GET /readyz), then reload this status',
});

export function encryptionKeyCheck(keys: ResolvedKeys, isProduction: boolean): StatusCheck {
  return {
    name: 'encryption_key',
    onFailure: checkFailed('encryption key'),
    async run() {
      if (keys.source === 'environment') return { ok: true, detail: `APP_ENC_KEY (key id ${keys.ring.current.id})` };
      // Config validation already refuses production without APP_ENC_KEY; this covers an embedder building Config by hand.
      const blocker: Blocker = isProduction
        ? {
            code: 'APP_ENC_KEY_MISSING',
            severity: 'blocked',
            message: 'APP_ENC_KEY is not set in production: TOTP secrets would be encrypted with a key stored beside the data',
            fix: 'Set APP_ENC_KEY to 32 random bytes in base64 (openssl rand -base64 32) and restart',
          }
        : {
            code: 'APP_ENC_KEY_GENERATED',
            severity: 'degraded',
            message: 'TOTP secrets are encrypted with a development key generated into DATA_DIR: a copy of the data folder carries its own key, and losing the folder loses every secret',
            fix: 'Set APP_ENC_KEY (openssl rand -base64 32) with the generated key in APP_ENC_KEYS_OLD, restart, then run npm run cli -- keys:rotate',
          };
      return { ok: false, detail: 'generated development key', blockers: [blocker] };
    },
  };
}

/**
 * An admin account protected by a password alone is the cheapest way into everything: System
 * status names each one. Blocked when ADMIN_REQUIRE_2FA is on (they cannot use the admin pages
 * until they enrol), degraded otherwise.
 */
export function adminTwoFactorCheck(users: Pick<UserStore, 'listAdminsWithoutTwoFactor'>, requireTwoFactor: boolean): StatusCheck {
  return {
    name: 'admin_two_factor',
    onFailure: checkFailed('admin two-factor'),
    async run() {
      const emails = await users.listAdminsWithoutTwoFactor();
      if (emails.length === 0) return { ok: true, detail: 'every admin has a second factor' };
      return {
        ok: false,
        detail: `${emails.length} admin(s) without two-factor authentication`,
        blockers: [
          {
            code: 'ADMIN_WITHOUT_2FA',
            severity: requireTwoFactor ? 'blocked' : 'degraded',
            message: `Admin account(s) protected by a password alone: ${emails.join(', ')}${requireTwoFactor ? ' (they cannot open admin pages until they set it up)' : ''}`,
            fix: 'Each admin signs in and sets up two-factor authentication under Settings → Security; or remove the role: npm run cli -- user:revoke-admin --email <email>',
          },
        ],
      };
    },
  };
}

export function storedSecretsCheck(store: Pick<TwoFactorStore, 'countCredentialsByKeyId'>, keys: ResolvedKeys): StatusCheck {
  return {
    name: 'stored_secrets',
    onFailure: checkFailed('stored secrets'),
    async run() {
      const byKey = await store.countCredentialsByKeyId();
      const missing = byKey.filter((entry) => !keys.ring.byId.has(entry.keyId));
      const total = byKey.reduce((sum, entry) => sum + entry.count, 0);
      if (missing.length === 0) return { ok: true, detail: `${total} TOTP secret(s), all under configured keys` };
      const count = missing.reduce((sum, entry) => sum + entry.count, 0);
      return {
        ok: false,
        detail: `${count} of ${total} TOTP secret(s) under unconfigured key(s)`,
        blockers: [
          {
            code: 'ENCRYPTION_KEY_NOT_CONFIGURED_FOR_STORED_SECRETS',
            severity: 'blocked',
            message: `${count} stored TOTP secret(s) are encrypted with key id(s) ${missing.map((m) => m.keyId || '(none)').join(', ')} that no configured key matches: those users cannot sign in`,
            fix: 'Put the key that encrypted them back in APP_ENC_KEY or APP_ENC_KEYS_OLD and restart; npm run cli -- keys:check lists the key ids',
          },
        ],
      };
    },
  };
}

export function migrationsCheck(database: DatabaseHandle): StatusCheck {
  return {
    name: 'migrations',
    onFailure: checkFailed('migrations'),
    async run() {
      const pending = await countPendingMigrations(database);
      if (pending === 0) return { ok: true, detail: 'all applied' };
      return {
        ok: false,
        detail: `${pending} pending`,
        blockers: [
          {
            code: 'MIGRATIONS_PENDING',
            severity: 'blocked',
            message: `${pending} database migration(s) shipped with this build are not applied: queries may fail`,
            fix: 'Restart Proofgate: migrations are applied at start-up (or start this build against the database once)',
          },
        ],
      };
    },
  };
}

export function limiterStoreCheck(store: LimiterStore): StatusCheck {
  return {
    name: 'limiter_store',
    onFailure: {
      code: 'LIMITER_STORE_UNREACHABLE',
      severity: 'blocked',
      message: `The ${store.kind} throttling store is unreachable: throttled routes (sign-in, 2FA, SMS) fail closed with 503`,
      fix: store.kind === 'redis' ? 'Check REDIS_URL and that Redis is up; Proofgate reconnects without a restart' : 'Check the database (GET /readyz)',
    },
    async run() {
      await store.ping();
      return { ok: true, detail: store.kind };
    },
  };
}

const REDIS_PERSISTENCE_FIX =
  'Turn on persistence in the Redis that REDIS_URL names: appendonly yes (redis-server --appendonly yes, or CONFIG SET appendonly yes then CONFIG REWRITE), or at least snapshots (save 60 1); on a managed Redis, enable its persistence (AOF or snapshot) option. See docs/security.md, "Lockouts and a Redis restart"';

/**
 * Lockouts are counters in the limiter store. A Redis without persistence forgets them all on a
 * restart: every locked account and throttled address gets a fresh set of guesses, and nothing
 * else would say so. Blocked in production, degraded elsewhere (a development Redis may well be
 * throwaway). When Redis will not tell (managed services disable CONFIG), degraded: unknown.
 */
export function limiterPersistenceCheck(store: Pick<LimiterStore, 'kind' | 'persistence'>, isProduction: boolean): StatusCheck {
  return {
    name: 'limiter_persistence',
    onFailure: {
      code: 'REDIS_PERSISTENCE_UNVERIFIED',
      severity: 'degraded',
      message: `The ${store.kind} throttling store did not answer, so whether lockouts survive its restart could not be verified`,
      fix: store.kind === 'redis' ? `Check REDIS_URL and that Redis is up. ${REDIS_PERSISTENCE_FIX}` : 'Check the database (GET /readyz)',
    },
    async run() {
      const persistence = await store.persistence();
      if (persistence.state === 'durable') return { ok: true, detail: persistence.detail };
      if (persistence.state === 'unverifiable') {
        return {
          ok: false,
          detail: persistence.detail,
          blockers: [
            {
              code: 'REDIS_PERSISTENCE_UNVERIFIED',
              severity: 'degraded',
              message: 'Redis refuses CONFIG GET (usual on managed Redis), so it could not be verified that lockout and throttle counters survive a Redis restart; without persistence a restart unlocks every locked account',
              fix: `Check in your Redis provider's settings that persistence (AOF or snapshots) is on. ${REDIS_PERSISTENCE_FIX}`,
            },
          ],
        };
      }
      return {
        ok: false,
        detail: persistence.detail,
        blockers: [
          {
            code: 'REDIS_NOT_PERSISTENT',
            severity: isProduction ? 'blocked' : 'degraded',
            message: 'Redis keeps the lockout and throttle counters in memory only (appendonly no, no save rules): a Redis restart unlocks every locked account and resets every failure count, giving attackers a fresh set of guesses',
            fix: REDIS_PERSISTENCE_FIX,
          },
        ],
      };
    },
  };
}

const NON_PUBLIC_SUFFIXES = ['.localhost', '.local', '.internal', '.test', '.example', '.invalid', '.lan', '.home.arpa'];

/** A host browsers on the Internet could reach: not loopback, private, link-local or a reserved name. */
export function isPublicHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (ipaddr.isValid(host)) return ipaddr.parse(host).range() === 'unicast';
  if (host === 'localhost' || !host.includes('.')) return false;
  return !NON_PUBLIC_SUFFIXES.some((suffix) => host.endsWith(suffix));
}

export function cookieSecurityCheck(options: { isProduction: boolean; publicUrl: string | undefined }): StatusCheck {
  return {
    name: 'cookies',
    onFailure: checkFailed('cookies'),
    async run() {
      const { isProduction, publicUrl } = options;
      const secureCookies = isProduction ? 'Secure, __Host- prefixed' : 'not Secure (NODE_ENV is not production)';
      if (!publicUrl) return { ok: true, detail: `${secureCookies}; PUBLIC_URL not set` };
      const url = new URL(publicUrl);
      if (isProduction && url.protocol === 'http:') {
        return {
          ok: false,
          detail: 'production on http',
          blockers: [
            {
              code: 'INSECURE_COOKIES',
              severity: 'blocked',
              message: 'PUBLIC_URL is http:// while NODE_ENV=production: browsers drop the Secure session cookie over http (no one can stay signed in) and passwords travel in clear',
              fix: 'Serve Proofgate over HTTPS (e.g. behind a TLS proxy with TRUST_PROXY) and set PUBLIC_URL=https://…',
            },
          ],
        };
      }
      if (!isProduction && url.protocol === 'https:' && isPublicHost(url.hostname)) {
        return {
          ok: false,
          detail: 'public https URL outside production',
          blockers: [
            {
              code: 'INSECURE_COOKIES',
              severity: 'blocked',
              message: 'PUBLIC_URL is a public HTTPS address but NODE_ENV is not production: session cookies are neither Secure nor __Host- prefixed, and HSTS is off',
              fix: 'Set NODE_ENV=production (which also requires APP_ENC_KEY) and restart',
            },
          ],
        };
      }
      return { ok: true, detail: secureCookies };
    },
  };
}
