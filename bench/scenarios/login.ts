import { BENCH_PASSWORD } from '../fixtures/proofgate';
import type { LoadRequest } from '../lib/load';
import { JSON_HEADERS, type Scenario } from './types';

/**
 * Password sign-in without a second factor: one argon2id verification per request on every
 * side. The third side is the hash-only HTTP server (bench/peers/hash-only/server.ts), whose
 * sign-in is nothing but that verification: the login ceiling over HTTP, in the same rounds. The
 * fourth is the sign-in floor (bench/peers/sign-in-floor/server.ts): that verification plus the
 * least store work a throttled sign-in that opens an audited session needs — the ceiling for a
 * login with its throttles on. The fifth is Proofgate's login service under Node's own HTTP
 * server (bench/peers/login-service/server.ts): everything a Proofgate sign-in does but its HTTP layer.
 */
/** Proofgate's sign-in request for each user (the login service answers the same path). */
function proofgateLogins(users: ReadonlyArray<{ email: string }>): LoadRequest[] {
  return users.map((user) => ({
    method: 'POST' as const,
    path: '/api/auth/login',
    headers: JSON_HEADERS,
    body: JSON.stringify({ email: user.email, password: BENCH_PASSWORD }),
  }));
}

export const login: Scenario = {
  id: 'login',
  sides: [
    {
      server: 'Proofgate',
      async prepare({ settings, proofgate }) {
        const users = await proofgate.createPasswordUsers(settings.login.users, 'login');
        const requests = proofgateLogins(users);
        return {
          request: `POST /api/auth/login {email, password} — ${users.length} users without 2FA, round-robin`,
          warmup: { requests, durationSeconds: settings.login.warmupSeconds },
          measure: { requests, durationSeconds: settings.login.durationSeconds },
        };
      },
    },
    {
      server: 'better-auth',
      async prepare({ settings, peers }) {
        const peer = peers['better-auth'];
        const users = await peer.createUsers(settings.login.users, 'login', false);
        const requests = users.map((user) => ({
          method: 'POST' as const,
          path: '/api/auth/sign-in/email',
          headers: { ...JSON_HEADERS, ...peer.origin },
          body: JSON.stringify({ email: user.email, password: BENCH_PASSWORD }),
        }));
        return {
          request: `POST /api/auth/sign-in/email {email, password} — ${users.length} users without 2FA, round-robin`,
          warmup: { requests, durationSeconds: settings.login.warmupSeconds },
          measure: { requests, durationSeconds: settings.login.durationSeconds },
        };
      },
    },
    {
      server: 'hash-only HTTP',
      async prepare({ settings }) {
        // No accounts: the server checks every password against the one hash it made at start.
        const requests = Array.from({ length: settings.login.users }, (_, i) => ({
          method: 'POST' as const,
          path: '/api/auth/login',
          headers: JSON_HEADERS,
          body: JSON.stringify({ email: `hash-only-${i}@bench.test`, password: BENCH_PASSWORD }),
        }));
        return {
          request: `POST /api/auth/login {email, password} — argon2id verification only (node:http, Proofgate's hashing path), ${requests.length} request bodies, round-robin`,
          warmup: { requests, durationSeconds: settings.login.warmupSeconds },
          measure: { requests, durationSeconds: settings.login.durationSeconds },
        };
      },
    },
    {
      server: 'sign-in floor',
      async prepare({ settings, proofgate }) {
        // Users of its own in Proofgate's database, with Proofgate's password hash.
        const users = await proofgate.createPasswordUsers(settings.login.users, 'sign-in-floor');
        const requests = proofgateLogins(users);
        return {
          request: `POST /api/auth/login {email, password} — the user read, one throttle script (address and email), argon2id, the session and its audit row in one statement, the email's counter cleared (node:http, no framework), ${users.length} users without 2FA, round-robin`,
          warmup: { requests, durationSeconds: settings.login.warmupSeconds },
          measure: { requests, durationSeconds: settings.login.durationSeconds },
        };
      },
    },
    {
      server: 'login service',
      async prepare({ settings, proofgate }) {
        // Users of its own in Proofgate's database: its sessions and audit rows land there too.
        const users = await proofgate.createPasswordUsers(settings.login.users, 'login-service');
        const requests = proofgateLogins(users);
        return {
          request: `POST /api/auth/login {email, password} — Proofgate's accounts.login under node:http (no Express, schema, request log, headers or cookies), ${users.length} users without 2FA, round-robin`,
          warmup: { requests, durationSeconds: settings.login.warmupSeconds },
          measure: { requests, durationSeconds: settings.login.durationSeconds },
        };
      },
    },
  ],
};
