import type { Logger } from 'pino';
import type { AuditLog } from '../audit/service';
import type { SecondFactorGate } from '../auth/account-service';
import type { IssuedSession, SessionService } from '../auth/session-service';
import type { UserRow } from '../auth/user-store';
import type { AuthContext } from '../core/auth-context';
import type { RequestOrigin } from '../core/request-origin';
import type { Clock } from '../lib/clock';
import type { RandomBytes } from '../lib/random';
import type { KeyRing } from '../lib/secret-box';
import type { Telemetry } from '../lib/telemetry';
import type { LimitGate } from '../limits/limit-gate';
import type { AttemptStash } from '../limits/limiter-store';
import type { Executor, TwoFactorStore } from './store';

export interface TwoFactorLimits {
  /** Failed second-factor attempts per client IP (IPv6 by /64). */
  ip: LimitGate;
  /** Consecutive failures per user: TWO_FACTOR_LOCKED for a while. */
  userShort: LimitGate;
  /** A daily cap per user, so short locks cannot be cycled forever (NIST 800-63B §5.2.2). */
  userDaily: LimitGate;
  /** Wrong codes one temp token may take before it is dead. */
  tempTokenMaxFailures: number;
}

export type SecondFactorInput = { code: string; backupCode?: undefined } | { code?: undefined; backupCode: string };

export interface SetupResult {
  secret: string;
  otpauthUrl: string;
  qrDataUrl: string;
  issuer: string;
  accountLabel: string;
}

export interface TwoFactorStatus {
  enabled: boolean;
  enabledAt: Date | null;
  backupCodesRemaining: number;
  lastUsedAt: Date | null;
  pendingSetup: boolean;
}

export type FactorMethod = 'totp' | 'backup_code';
export type AttemptPurpose = 'login' | 'confirm' | 'disable' | 'regenerate';

/** What a user signed in with the second login step gets back. */
export type VerifiedUser = Pick<UserRow, 'id' | 'email' | 'role' | 'createdAt' | 'credentialEpoch'>;

/** Adding, changing and removing the TOTP factor and its backup codes. */
export interface TwoFactorEnrolment {
  status(auth: AuthContext): Promise<TwoFactorStatus>;
  setup(auth: AuthContext, origin: RequestOrigin): Promise<SetupResult>;
  confirm(auth: AuthContext, code: string, origin: RequestOrigin): Promise<{ backupCodes: string[]; issued: IssuedSession }>;
  disable(auth: AuthContext, factor: SecondFactorInput, origin: RequestOrigin): Promise<{ issued: IssuedSession }>;
  regenerateBackupCodes(auth: AuthContext, factor: SecondFactorInput, origin: RequestOrigin): Promise<{ backupCodes: string[]; issued: IssuedSession }>;
  adminReset(userId: string, origin: RequestOrigin): Promise<{ removed: boolean; sessionsRevoked: number }>;
}

/** The second login step: a temp token from the password step, then a code, then a session. */
export interface TwoFactorLoginStep extends SecondFactorGate {
  verifyLogin(input: { tempToken: string } & SecondFactorInput, origin: RequestOrigin): Promise<{ user: VerifiedUser; issued: IssuedSession }>;
}

export interface TwoFactorService extends TwoFactorEnrolment, TwoFactorLoginStep {}

export interface TwoFactorDeps {
  store: TwoFactorStore;
  sessions: SessionService;
  audit: AuditLog;
  telemetry: Telemetry;
  logger: Logger;
  clock: Clock;
  randomBytes: RandomBytes;
  keys: KeyRing;
  limits: TwoFactorLimits;
  issuer: string;
  tempTokenTtlSeconds: number;
  /**
   * The limiter store's shared stash (Redis only): the second login step counts a TOTP attempt
   * there and reads the credential in the same round trip, so it writes once instead of twice.
   */
  attemptStash?: AttemptStash;
  /** Second factors of other capabilities (passkeys): backup codes serve them too. */
  otherFactors?: { factorSummary(userId: string, executor?: Executor): Promise<{ passkeys: number }> };
}
