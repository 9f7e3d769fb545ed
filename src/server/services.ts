import type { PGlite } from '@electric-sql/pglite';
import type { DestinationStream, Logger } from 'pino';
import { createSmsAlertService, type SmsAlertService } from './alerts/service';
import type { SmsProvider } from './integrations/sms-provider';
import { createAuditLog, type AuditLog } from './audit/service';
import { createSecurityEventStore } from './audit/store';
import { createAccountService, type AccountService } from './auth/account-service';
import type { RegistrationThrottle } from './auth/routes';
import type { UserStore } from './auth/user-store';
import type { SessionService } from './auth/session-service';
import type { RememberedDeviceService } from './sessions/remembered-devices';
import type { SessionsService } from './sessions/service';
import { createSessionCapabilities, createSessionCore } from './composition/sessions';
import type { Config } from './config';
import { openDatabase, type DatabaseHandle } from './db/client';
import { runMigrations } from './db/migrate';
import { createIntegrationsService, type IntegrationsService } from './integrations/service';
import { createIntegrationStore, type IntegrationStore } from './integrations/store';
import { credentialFingerprint, resolveTwilioSettings, type TwilioSettingsResolution } from './integrations/twilio/settings';
import { createTwilioSmsProvider } from './integrations/twilio/sms-provider';
import { statusCallbackUrl } from './integrations/twilio/status-callback';
import { systemClock, type Clock } from './lib/clock';
import { resolveEncryptionKeys, type ResolvedKeys } from './lib/encryption-keys';
import { createLogger } from './lib/logger';
import { secureRandomBytes, type RandomBytes } from './lib/random';
import { createTelemetry, type Telemetry } from './lib/telemetry';
import { openLimiterStore, type LimiterStore } from './limits/limiter-store';
import { createThrottles } from './composition/throttle-policy';
import { createPasskeyCapability, type PasskeyCapability } from './passkeys/capability';
import { createSignInAccounts } from './passkeys/factor-gate';
import type { PasskeyOptionsThrottle } from './passkeys/routes';
import type { SessionWriteBudget } from './http/route';
import { createHousekeepingStore } from './housekeeping/store';
import { createHousekeeping, type Housekeeping } from './housekeeping/worker';
import { createRememberedDeviceStore } from './sessions/device-store';
import { createPasswordResetService, type PasswordResetService } from './auth/password-reset-service';
import { createPasswordResetStore } from './auth/password-reset-store';
import { createMailCapability, type MailCapability } from './mail/capability';
import { createTwoFactorService, type TwoFactorService } from './twofactor/service';
import { createTwoFactorStore, type TwoFactorStore } from './twofactor/store';

/** What tests and embedding applications may replace; everything else is built from Config. */
export interface ProofgateDeps {
  clock?: Clock;
  randomBytes?: RandomBytes;
  logger?: Logger;
  logDestination?: DestinationStream;
  /** An open PGlite to use instead of DATA_DIR (tests clone a migrated template into memory). */
  pglite?: PGlite;
  /** A limiter store to use instead of the one Config selects (tests share one between instances). */
  limiterStore?: LimiterStore;
  /** Who holds DATA_DIR's lock for the embedded database ('server' unless the CLI opens it). */
  lockRole?: string;
}

export interface ProofgateServices {
  config: Config;
  clock: Clock;
  randomBytes: RandomBytes;
  logger: Logger;
  telemetry: Telemetry;
  database: DatabaseHandle;
  keys: ResolvedKeys;
  limiterStore: LimiterStore;
  audit: AuditLog;
  users: UserStore;
  sessions: SessionService;
  /** The signed-in user's view of their own sessions and remembered browsers. */
  sessionsList: SessionsService;
  rememberedDevices: RememberedDeviceService;
  accounts: AccountService;
  registrationThrottle: RegistrationThrottle;
  passkeyOptionsThrottle: PasskeyOptionsThrottle;
  /** Every state-changing signed-in request spends one (SESSION_WRITES_MAX_PER_HOUR). */
  sessionWriteBudget: SessionWriteBudget;
  /** Deletes rows that can never be used again (expired sessions, spent tokens); started by the gate. */
  housekeeping: Housekeeping;
  twoFactorStore: TwoFactorStore;
  twoFactor: TwoFactorService;
  passkeys: PasskeyCapability;
  twilio: TwilioSettingsResolution;
  /** Undefined when Twilio is not configured. */
  smsProvider: SmsProvider | undefined;
  integrationStore: IntegrationStore;
  integrations: IntegrationsService;
  smsAlerts: SmsAlertService;
  mail: MailCapability;
  passwordResets: PasswordResetService;
  close(): Promise<void>;
}

export type Foundations = Pick<ProofgateServices, 'config' | 'clock' | 'randomBytes' | 'logger' | 'telemetry' | 'database' | 'keys' | 'limiterStore'>;
type Throttles = ReturnType<typeof createThrottles>;

/** The database (migrated), the encryption keys and the limiter store: what every capability stands on. */
async function openFoundations(config: Config, deps: ProofgateDeps): Promise<Foundations> {
  const clock = deps.clock ?? systemClock;
  const randomBytes = deps.randomBytes ?? secureRandomBytes;
  const logger = deps.logger ?? createLogger(config.logLevel, deps.logDestination);
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    poolMax: config.databasePoolMax,
    schema: config.databaseSchema,
    ...(deps.pglite ? { pglite: deps.pglite } : {}),
    ...(deps.lockRole ? { lockRole: deps.lockRole } : {}),
    onPoolError: (error) => logger.warn({ cause_code: (error as { code?: unknown }).code }, 'database connection lost'),
  });
  await runMigrations(database);
  const keys = resolveEncryptionKeys(
    { ...config.encryption, dataDir: config.dataDir, isProduction: config.isProduction },
    randomBytes,
    logger,
  );
  const limiterStore =
    deps.limiterStore ??
    openLimiterStore({ redisUrl: config.redisUrl, redisKeyPrefix: config.limits.redisKeyPrefix, pool: database.pool, logger });

  // Give the limiter store its first connection before serving; if it is down, credential
  // routes fail closed (503) and readiness says so, but the server still starts.
  await limiterStore.ping().catch(() => logger.warn({ store: limiterStore.kind }, 'limiter store unreachable at start-up'));
  // Said once in the log as well as on System status: an operator reading only the log should
  // learn that a Redis restart would unlock every locked account.
  if (limiterStore.kind === 'redis') {
    const persistence = await limiterStore.persistence().catch(() => undefined);
    if (persistence && persistence.state !== 'durable') {
      logger.warn({ store: 'redis', persistence: persistence.state }, 'redis limiter store may forget lockouts on restart: see GET /api/system/status');
    }
  }
  return { config, clock, randomBytes, logger, telemetry: createTelemetry(logger), database, keys, limiterStore };
}

/** Accounts, sessions and the second factor. */
function createAccountCapabilities(f: Foundations, audit: AuditLog, throttles: Throttles) {
  const { config, database, clock, randomBytes, telemetry, logger } = f;
  const { users, sessionStore, sessions } = createSessionCore(f);
  const { rememberedDevices, sessionsList } = createSessionCapabilities(f, audit, sessionStore, createRememberedDeviceStore(database.db));
  const twoFactorStore = createTwoFactorStore(database.db, (work) => database.transaction(work), (name, text) => database.prepare(name, text));
  // Passkeys (WebAuthn): a second factor beside TOTP, and a passwordless sign-in.
  const passkeys = createPasskeyCapability({
    db: database.db,
    transaction: (work) => database.transaction(work),
    config: { publicUrl: config.publicUrl, isProduction: config.isProduction, issuer: config.twoFactor.issuer, tempTokenTtlSeconds: config.twoFactor.tempTokenTtlSeconds },
    twoFactorStore,
    users,
    sessions,
    audit,
    telemetry,
    clock,
    randomBytes,
    limits: throttles.twoFactor,
  });
  const twoFactor = createTwoFactorService({
    otherFactors: passkeys.store,
    store: twoFactorStore,
    sessions,
    audit,
    telemetry,
    logger,
    clock,
    randomBytes,
    keys: f.keys.ring,
    limits: throttles.twoFactor,
    attemptStash: f.limiterStore.attemptStash,
    issuer: config.twoFactor.issuer,
    tempTokenTtlSeconds: config.twoFactor.tempTokenTtlSeconds,
  });
  const accounts = createAccountService({
    users,
    sessions,
    audit,
    telemetry,
    randomBytes,
    signInAccounts: createSignInAccounts(passkeys.store),
    secondFactor: twoFactor,
    loginThrottle: throttles.login,
    rememberedDevices,
    transaction: (work) => database.transaction(work),
  });
  return { users, sessions, sessionsList, rememberedDevices, twoFactorStore, twoFactor, passkeys, accounts };
}

/** Twilio, the integrations control plane and the audited SMS alert path. */
function createSmsCapabilities(
  f: Foundations,
  audit: AuditLog,
  throttles: Throttles,
  integrationStore: IntegrationStore,
  otherIntegrations: MailCapability['integration'][],
) {
  const { config, clock, logger, telemetry } = f;
  // The same SDK code path with real keys and with the fake: only TWILIO_API_BASE_URL differs.
  const twilio = resolveTwilioSettings(config.twilio);
  const smsProvider = twilio.configured ? createTwilioSmsProvider(twilio.settings) : undefined;
  const integrations = createIntegrationsService({
    store: integrationStore,
    clock,
    logger,
    telemetry,
    twilio: {
      provider: smsProvider,
      credentialFingerprint: twilio.settings ? credentialFingerprint(twilio.settings) : undefined,
      problems: twilio.problems,
    },
    checkIntervalSeconds: config.integrations.checkIntervalSeconds,
    others: otherIntegrations,
  });
  const smsAlerts = createSmsAlertService({
    provider: smsProvider,
    usage: integrationStore,
    audit,
    telemetry,
    logger,
    clock,
    randomBytes: f.randomBytes,
    limits: throttles.smsTest,
    statusCallbackUrl: statusCallbackUrl(config.publicUrl, twilio.settings?.authToken),
    providerTimeoutMs: config.twilio.timeoutMs,
    allowedCountries: config.sms.allowedCountries,
    issuer: config.twoFactor.issuer,
  });
  return { twilio, smsProvider, integrationStore, integrations, smsAlerts };
}

/** Email over SMTP (outbox and notices) and the password reset it carries. */
function createMailCapabilities(
  f: Foundations,
  audit: AuditLog,
  throttles: Throttles,
  accounts: Pick<ProofgateServices, 'users' | 'sessions'>,
  integrationStore: IntegrationStore,
) {
  const { config, database, clock, randomBytes, logger } = f;
  const mail = createMailCapability({ config, db: database.db, transaction: (work) => database.transaction(work), audit, integrationStore, keys: f.keys.ring, clock, randomBytes, logger });
  const passwordResets = createPasswordResetService({
    store: createPasswordResetStore(database.db),
    users: accounts.users,
    sessions: accounts.sessions,
    audit,
    outbox: mail.outbox,
    throttle: throttles.passwordForgot,
    clock,
    randomBytes,
    logger,
    publicUrl: config.publicUrl,
    ttlSeconds: config.mail.resetTtlSeconds,
    issuer: config.twoFactor.issuer,
    transaction: (work) => database.transaction(work),
  });
  return { mail, passwordResets };
}

/**
 * Everything but HTTP: database (migrated), stores and services, wired from Config.
 * The HTTP router, the host guard and the CLI are all built on it, so they cannot disagree on the rules.
 */
export async function createServices(config: Config, deps: ProofgateDeps = {}): Promise<ProofgateServices> {
  const foundations = await openFoundations(config, deps);
  const { database, limiterStore, clock, telemetry, logger } = foundations;
  const audit = createAuditLog(createSecurityEventStore(database.db), clock);
  const throttles = createThrottles({
    store: limiterStore,
    config: config.limits,
    forgot: { ipMaxPerHour: config.mail.forgotIpMaxPerHour, emailMaxPerHour: config.mail.forgotEmailMaxPerHour },
    audit,
    telemetry,
    logger,
  });
  const accounts = createAccountCapabilities(foundations, audit, throttles);
  const integrationStore = createIntegrationStore(database.db);
  const { mail, passwordResets } = createMailCapabilities(foundations, audit, throttles, accounts, integrationStore);
  const housekeeping = createHousekeeping({
    store: createHousekeepingStore((work) => database.transaction(work)),
    clock,
    logger,
    sessionIdleSeconds: config.session.idleSeconds,
    auditRetentionDays: config.auditRetentionDays,
  });
  return {
    ...foundations,
    audit,
    ...accounts,
    registrationThrottle: throttles.register,
    passkeyOptionsThrottle: throttles.passkeyOptions,
    sessionWriteBudget: throttles.sessionWrites,
    housekeeping,
    ...createSmsCapabilities(foundations, audit, throttles, integrationStore, [mail.integration]),
    mail,
    passwordResets,
    async close() {
      await housekeeping.close();
      await passwordResets.settled();
      await mail.notices.settled();
      await mail.outbox.close();
      await limiterStore.close();
      await database.close();
    },
  };
}
