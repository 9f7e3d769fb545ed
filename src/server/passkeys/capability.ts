import type { AuditLog } from '../audit/service';
import type { SessionService } from '../auth/session-service';
import type { UserStore } from '../auth/user-store';
import type { Database } from '../db/client';
import type { Clock } from '../lib/clock';
import type { RandomBytes } from '../lib/random';
import type { Telemetry } from '../lib/telemetry';
import type { TwoFactorLimits } from '../twofactor/service';
import type { TwoFactorStore } from '../twofactor/store';
import { createPasskeyLoginService, type PasskeyLoginService } from './login-service';
import { relyingPartyFrom, type RelyingParty } from './relying-party';
import { createPasskeyService, type PasskeyService } from './service';
import { createPasskeyStore, type PasskeyStore } from './store';

export interface PasskeyCapability {
  store: PasskeyStore;
  relyingParty: RelyingParty;
  service: PasskeyService;
  login: PasskeyLoginService;
}

/** Builds the passkeys capability from its dependencies (called by the composition root). */
export function createPasskeyCapability(deps: {
  db: Database;
  transaction: <T>(work: (tx: Database) => Promise<T>) => Promise<T>;
  config: { publicUrl: string | undefined; isProduction: boolean; issuer: string; tempTokenTtlSeconds: number };
  twoFactorStore: TwoFactorStore;
  users: UserStore;
  sessions: SessionService;
  audit: AuditLog;
  telemetry: Telemetry;
  clock: Clock;
  randomBytes: RandomBytes;
  limits: TwoFactorLimits;
}): PasskeyCapability {
  const store = createPasskeyStore(deps.db, deps.transaction);
  const relyingParty = relyingPartyFrom({ publicUrl: deps.config.publicUrl, isProduction: deps.config.isProduction, name: deps.config.issuer });
  const common = {
    store,
    sessions: deps.sessions,
    audit: deps.audit,
    telemetry: deps.telemetry,
    clock: deps.clock,
    randomBytes: deps.randomBytes,
    relyingParty,
    // A WebAuthn ceremony is part of a sign-in or a settings change: it gets as long as a temp token.
    challengeTtlSeconds: deps.config.tempTokenTtlSeconds,
  };
  return {
    store,
    relyingParty,
    service: createPasskeyService({ ...common, backupCodes: deps.twoFactorStore }),
    login: createPasskeyLoginService({ ...common, tempTokens: deps.twoFactorStore, users: deps.users, limits: deps.limits }),
  };
}
