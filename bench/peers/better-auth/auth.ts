import { hash, verify } from '@node-rs/argon2';
import { betterAuth } from 'better-auth';
import { twoFactor } from 'better-auth/plugins/two-factor';
import pg from 'pg';
import { ARGON2ID_OPTIONS } from '../../../src/server/lib/argon2';

/**
 * The peer baseline: better-auth with its two-factor plugin, on the same PostgreSQL server as
 * Proofgate (its own database) and with the SAME argon2id parameters for passwords, through
 * better-auth's custom `password: { hash, verify }` hooks on @node-rs/argon2.
 */

/** Far above anything the load generator sends in one window: the limiter runs, it never refuses. */
export const PEER_RATE_LIMIT_MAX = 1_000_000;
export const PEER_RATE_LIMIT_WINDOW_SECONDS = 10;

export interface PeerAuthOptions {
  databaseUrl: string;
  baseUrl: string;
  secret: string;
  poolMax: number;
  /**
   * better-auth's session cookie cache (`session.cookieCache`, off by default): a signed copy of
   * the session in a second cookie, so get-session answers without the database until it expires.
   */
  cookieCacheMaxAgeSeconds?: number;
}

export function createPeerAuth(options: PeerAuthOptions) {
  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.poolMax, application_name: 'better-auth-peer' });
  const unlimited = { window: PEER_RATE_LIMIT_WINDOW_SECONDS, max: PEER_RATE_LIMIT_MAX };
  const auth = betterAuth({
    appName: 'Proofgate bench peer',
    baseURL: options.baseUrl,
    secret: options.secret,
    database: pool,
    emailAndPassword: {
      enabled: true,
      password: {
        hash: (password) => hash(password, ARGON2ID_OPTIONS),
        verify: async ({ hash: phc, password }) => {
          try {
            return await verify(phc, password);
          } catch {
            return false;
          }
        },
      },
    },
    plugins: [twoFactor({ issuer: 'Proofgate bench peer' })],
    ...(options.cookieCacheMaxAgeSeconds
      ? { session: { cookieCache: { enabled: true, maxAge: options.cookieCacheMaxAgeSeconds } } }
      : {}),
    // better-auth's limiter stays ON (its default is on only in production), in its default
    // store for this setup (process memory), with every rule the load generator meets — the
    // global one, the built-in /sign-in/* rule (3 per 10 s) and the two-factor plugin's
    // /two-factor/* rule (3 per 10 s) — raised so that one loopback client is never refused.
    // It still costs what it costs per request; it just does not turn the run into 429s.
    rateLimit: {
      enabled: true,
      storage: 'memory',
      ...unlimited,
      customRules: {
        '/sign-in/*': unlimited,
        '/sign-up/*': unlimited,
        '/two-factor/*': unlimited,
        '/get-session': unlimited,
      },
    },
    telemetry: { enabled: false },
  });
  return { auth, pool };
}

export type PeerAuth = ReturnType<typeof createPeerAuth>['auth'];
