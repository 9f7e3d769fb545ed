import type { Logger } from 'pino';
import type { AuditLog, EventOrigin } from '../audit/service';
import type { Database } from '../db/client';
import { AppError } from '../core/app-error';
import { ipLimiterKey } from '../core/client-address';
import { hashSecret } from '../lib/argon2';
import type { Clock } from '../lib/clock';
import type { RandomBytes } from '../lib/random';
import { generateToken, hashToken, isWellFormedToken } from '../lib/tokens';
import type { MailOutbox } from '../mail/outbox';
import { renderResetLink } from '../mail/templates';
import { checkPasswordPolicy, normalizePassword } from './password-policy';
import type { PasswordResetStore } from './password-reset-store';
import type { RequestOrigin } from '../core/request-origin';
import type { SessionService } from './session-service';
import type { UserStore } from './user-store';

/** Per-IP and per-email throttle of reset requests (implemented by the limits capability). */
export interface ForgotPasswordThrottle {
  beforeRequest(email: string, origin: EventOrigin & { ip: string }): Promise<void>;
}

export interface PasswordResetService {
  /**
   * Throttles, then returns `start`: the caller answers first and calls `start` once the answer
   * is out. Looking the email up, issuing a token and queueing the mail happen only then, so an
   * existing and an unknown email cost the caller the same time.
   */
  requestReset(email: string, origin: RequestOrigin): Promise<() => void>;
  /** Sets a new password with a token from the reset mail; every session and temp token dies. */
  reset(input: { token: string; newPassword: string }, origin: RequestOrigin): Promise<{ sessionsRevoked: number }>;
  /** Resolves when the work started by earlier requestReset calls is done (tests, the proof, shutdown). */
  settled(): Promise<void>;
}

export const RESET_PATH = '/reset-password';

interface PasswordResetDeps {
  store: PasswordResetStore;
  users: Pick<UserStore, 'findByEmail' | 'findById'>;
  sessions: Pick<SessionService, 'afterSessionlessCredentialChange'>;
  audit: AuditLog;
  outbox: MailOutbox;
  throttle: ForgotPasswordThrottle;
  clock: Clock;
  randomBytes: RandomBytes;
  logger: Logger;
  /** PUBLIC_URL: the only base a reset link is built on (never the request's Host header). */
  publicUrl: string | undefined;
  ttlSeconds: number;
  issuer: string;
  transaction: <T>(work: (tx: Database) => Promise<T>) => Promise<T>;
}

export function createPasswordResetService(deps: PasswordResetDeps): PasswordResetService {
  const { store, users, clock, logger } = deps;
  const inFlight = new Set<Promise<void>>();

  async function issueAndQueue(email: string, origin: RequestOrigin): Promise<void> {
    const user = await users.findByEmail(email);
    if (!user) return;
    if (!deps.outbox.enabled || !deps.publicUrl) {
      logger.warn({ integration: 'smtp', request_id: origin.requestId, reason: deps.publicUrl ? 'smtp_not_configured' : 'public_url_not_set' }, 'password reset mail not sent');
      return;
    }
    // The token goes into the mail only; the fragment (#) keeps it out of every server's access log.
    const token = generateToken(deps.randomBytes);
    const now = clock.nowMs();
    await store.insert({ tokenHash: hashToken(token), userId: user.id, credentialEpoch: user.credentialEpoch, expiresAt: new Date(now + deps.ttlSeconds * 1000) });
    const mail = renderResetLink(
      { link: `${deps.publicUrl}${RESET_PATH}#token=${token}`, ttlSeconds: deps.ttlSeconds, context: { at: new Date(now), ip: origin.ip, userAgent: origin.userAgent } },
      deps.issuer,
    );
    await deps.outbox.enqueue({ userId: user.id, kind: 'password_reset_link', mail });
    deps.outbox.kick();
  }

  return {
    async requestReset(email, origin) {
      await deps.throttle.beforeRequest(email, { ip: origin.ip, userAgent: origin.userAgent, requestId: origin.requestId });
      let start!: () => void;
      const answered = new Promise<void>((resolve) => (start = resolve));
      // Counted from now, so settled() also waits for work whose answer is still being written.
      const work = answered
        .then(() => issueAndQueue(email, origin))
        .catch((error: unknown) => logger.error({ cause_code: (error as { code?: unknown }).code, request_id: origin.requestId }, 'password reset request failed'))
        .finally(() => inFlight.delete(work));
      inFlight.add(work);
      return start;
    },

    reset: (input, origin) => resetWithToken(deps, input, origin),

    async settled() {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
  };
}

/** Checks the reset token and the new password, then swaps the password and ends every session in one transaction. */
async function resetWithToken(
  deps: PasswordResetDeps,
  input: { token: string; newPassword: string },
  origin: RequestOrigin,
): Promise<{ sessionsRevoked: number }> {
  const { store, users, clock } = deps;
  if (!isWellFormedToken(input.token)) throw new AppError('RESET_TOKEN_INVALID');
  const tokenHash = hashToken(input.token);
  const row = await store.find(tokenHash);
  if (!row || row.usedAt) throw new AppError('RESET_TOKEN_INVALID');
  if (row.expiresAt.getTime() <= clock.nowMs()) throw new AppError('RESET_TOKEN_EXPIRED');
  const user = await users.findById(row.userId);
  // Any password or factor change since the mail was sent voids the link.
  if (!user || user.credentialEpoch !== row.credentialEpoch) throw new AppError('RESET_TOKEN_INVALID');
  const policy = checkPasswordPolicy(input.newPassword, { email: user.email });
  if (!policy.ok) throw new AppError(policy.code, { detail: policy.detail });
  const passwordHash = await hashSecret(normalizePassword(input.newPassword), ipLimiterKey(origin.ip));
  return deps.transaction(async (tx) => {
    if (!(await store.claim(tokenHash, new Date(clock.nowMs()), tx))) throw new AppError('RESET_TOKEN_INVALID');
    const result = await deps.sessions.afterSessionlessCredentialChange(tx, user.id, { expectedEpoch: row.credentialEpoch, passwordHash });
    if (!result) throw new AppError('RESET_TOKEN_INVALID');
    await deps.audit.record(
      'auth.password_changed',
      { userId: user.id, origin: { ip: origin.ip, userAgent: origin.userAgent, requestId: origin.requestId }, details: { via: 'password_reset', sessions_revoked: result.sessionsRevoked } },
      tx,
    );
    return result;
  });
}
