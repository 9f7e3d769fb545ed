import { BENCH_PASSWORD } from '../fixtures/proofgate';
import { JSON_HEADERS, type Scenario } from './types';

/** Password sign-in without a second factor: one argon2id verification per request on both sides. */
export const login: Scenario = {
  id: 'login',
  sides: [
    {
      server: 'Proofgate',
      async prepare({ settings, proofgate }) {
        const users = await proofgate.createPasswordUsers(settings.login.users, 'login');
        const requests = users.map((user) => ({
          method: 'POST' as const,
          path: '/api/auth/login',
          headers: JSON_HEADERS,
          body: JSON.stringify({ email: user.email, password: BENCH_PASSWORD }),
        }));
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
  ],
};
