import fs from 'node:fs';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import cookieParser from 'cookie-parser';
import express, { type Express } from 'express';
import helmet from 'helmet';
import type { DestinationStream, Logger } from 'pino';
import { createAlertRoutes } from './alerts/routes';
import { createSmsAlertService, type SmsAlertService } from './alerts/service';
import type { SmsProvider } from './integrations/sms-provider';
import { createAuditLog, type AuditLog } from './audit/service';
import { createSecurityEventStore } from './audit/store';
import { createAccountService, type AccountService } from './auth/account-service';
import { createAdminGuard, loadSession } from './auth/guards';
import { createAuthRoutes, type RegistrationThrottle } from './auth/routes';
import { createSessionService, type SessionService } from './auth/session-service';
import { createSessionStore } from './auth/session-store';
import { createUserStore, type UserStore } from './auth/user-store';
import type { Config } from './config';
import { openDatabase, type DatabaseHandle } from './db/client';
import { countPendingMigrations, runMigrations } from './db/migrate';
import { requireJsonBody } from './http/json-only';
import { buildOpenApiDocument } from './http/openapi';
import { originCheck } from './http/origin-check';
import { notFoundHandler, problemMiddleware } from './http/problem';
import { requestContext } from './http/request-context';
import { requestLogging } from './http/request-logging';
import { RouteRegistry } from './http/route';
import { createSessionCookie } from './http/session-cookie';
import { systemClock, type Clock } from './lib/clock';
import { createLogger } from './lib/logger';
import { projectRoot } from './lib/project-root';
import { secureRandomBytes, type RandomBytes } from './lib/random';
import { createTelemetry, type Telemetry } from './lib/telemetry';
import { createHealthRoutes } from './system/health-routes';
import type { StatusCheck } from './system/status';
import {
  adminTwoFactorCheck,
  cookieSecurityCheck,
  encryptionKeyCheck,
  limiterPersistenceCheck,
  limiterStoreCheck,
  migrationsCheck,
  storedSecretsCheck,
} from './system/status-checks';
import { createSystemStatusRoutes } from './system/status-routes';
import { twilioStatusCheck } from './integrations/status-check';
import type { ReadinessCheck } from './system/readiness';
import { resolveEncryptionKeys, type ResolvedKeys } from './lib/encryption-keys';
import { createDeviceCookie } from './http/device-cookie';
import { openLimiterStore, type LimiterStore } from './limits/limiter-store';
import { createThrottles } from './composition/throttle-policy';
import { createIntegrationRoutes, createTwilioCallbackRoutes } from './integrations/routes';
import { createIntegrationsService, type IntegrationsService } from './integrations/service';
import { createIntegrationStore, type IntegrationStore } from './integrations/store';
import { createTwilioHttpClient } from './integrations/twilio/http-client';
import { credentialFingerprint, resolveTwilioSettings, type TwilioSettingsResolution } from './integrations/twilio/settings';
import { createTwilioSmsProvider } from './integrations/twilio/sms-provider';
import { createTwilioSignatureVerifier, statusCallbackUrl } from './integrations/twilio/status-callback';
import { createTwoFactorRoutes } from './twofactor/routes';
import { createTwoFactorService, type TwoFactorService } from './twofactor/service';
import { createTwoFactorStore, type TwoFactorStore } from './twofactor/store';
import './http/types';

export const PROOFGATE_VERSION = '0.1.0';

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

export interface Proofgate {
  app: Express;
  config: Config;
  database: DatabaseHandle;
  logger: Logger;
  /** The services behind the routes: what the admin CLI runs its commands on (tests and the proof run them in-process). */
  services: ProofgateServices;
  close(): Promise<void>;
}

const JSON_BODY_LIMIT = '16kb';
const webDistDir = path.join(projectRoot, 'dist', 'web');

function securityHeaders(config: Config) {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: true,
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'self'"],
        'style-src': ["'self'"],
        // QR codes are PNG data URLs.
        'img-src': ["'self'", 'data:'],
        'connect-src': ["'self'"],
        'frame-ancestors': ["'none'"],
        'form-action': ["'self'"],
        'upgrade-insecure-requests': config.isProduction ? [] : null,
      },
    },
    strictTransportSecurity: config.isProduction ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    referrerPolicy: { policy: 'no-referrer' },
  });
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
  accounts: AccountService;
  registrationThrottle: RegistrationThrottle;
  twoFactorStore: TwoFactorStore;
  twoFactor: TwoFactorService;
  twilio: TwilioSettingsResolution;
  /** Undefined when Twilio is not configured. */
  smsProvider: SmsProvider | undefined;
  integrationStore: IntegrationStore;
  integrations: IntegrationsService;
  smsAlerts: SmsAlertService;
  close(): Promise<void>;
}

/**
 * Everything but HTTP: database (migrated), stores and services, wired from Config.
 * The HTTP app and the CLI are both built on it, so they cannot disagree on the rules.
 */
export async function createServices(config: Config, deps: ProofgateDeps = {}): Promise<ProofgateServices> {
  const clock = deps.clock ?? systemClock;
  const randomBytes = deps.randomBytes ?? secureRandomBytes;
  const logger = deps.logger ?? createLogger(config.logLevel, deps.logDestination);
  const telemetry = createTelemetry(logger);

  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    poolMax: config.databasePoolMax,
    ...(deps.pglite ? { pglite: deps.pglite } : {}),
    ...(deps.lockRole ? { lockRole: deps.lockRole } : {}),
    onPoolError: (error) => logger.warn({ cause_code: (error as { code?: unknown }).code }, 'database connection lost'),
  });
  await runMigrations(database);
  const { db } = database;

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

  const audit = createAuditLog(createSecurityEventStore(db), clock);
  const users = createUserStore(db);
  const sessions = createSessionService({
    store: createSessionStore(db),
    users,
    clock,
    randomBytes,
    policy: config.session,
  });
  const throttles = createThrottles({ store: limiterStore, config: config.limits, audit, telemetry, logger });
  const twoFactorStore = createTwoFactorStore(db, (work) => database.transaction(work), (name, text) => database.prepare(name, text));
  const twoFactor = createTwoFactorService({
    store: twoFactorStore,
    sessions,
    audit,
    telemetry,
    logger,
    clock,
    randomBytes,
    keys: keys.ring,
    limits: throttles.twoFactor,
    issuer: config.twoFactor.issuer,
    tempTokenTtlSeconds: config.twoFactor.tempTokenTtlSeconds,
  });
  const accounts = createAccountService({
    users,
    sessions,
    audit,
    telemetry,
    randomBytes,
    secondFactor: twoFactor,
    loginThrottle: throttles.login,
    transaction: (work) => database.transaction(work),
  });
  // The same SDK code path with real keys and with the fake: only TWILIO_API_BASE_URL differs.
  const twilio = resolveTwilioSettings(config.twilio);
  const smsProvider = twilio.configured ? createTwilioSmsProvider(twilio.settings, createTwilioHttpClient(twilio.settings)) : undefined;
  const integrationStore = createIntegrationStore(db);
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
  });
  const smsAlerts = createSmsAlertService({
    provider: smsProvider,
    usage: integrationStore,
    audit,
    telemetry,
    logger,
    clock,
    randomBytes,
    limits: throttles.smsTest,
    statusCallbackUrl: statusCallbackUrl(config.publicUrl, twilio.settings?.authToken),
    providerTimeoutMs: config.twilio.timeoutMs,
    allowedCountries: config.sms.allowedCountries,
    issuer: config.twoFactor.issuer,
  });
  return {
    config,
    clock,
    randomBytes,
    logger,
    telemetry,
    database,
    keys,
    limiterStore,
    audit,
    users,
    sessions,
    accounts,
    registrationThrottle: throttles.register,
    twoFactorStore,
    twoFactor,
    twilio,
    smsProvider,
    integrationStore,
    integrations,
    smsAlerts,
    async close() {
      await limiterStore.close();
      await database.close();
    },
  };
}

/**
 * The composition root: builds every capability from Config and wires its dependencies.
 * Returns an Express app another application can mount under a path, and close().
 */
export async function createProofgate(config: Config, deps: ProofgateDeps = {}): Promise<Proofgate> {
  const services = await createServices(config, deps);
  const { logger, database, audit, sessions, accounts, twoFactor, limiterStore } = services;
  const registry = new RouteRegistry();
  const cookie = createSessionCookie(config.isProduction);
  const deviceCookie = createDeviceCookie({
    isProduction: config.isProduction,
    masterKey: services.keys.ring.current.key,
    randomBytes: services.randomBytes,
  });

  const readinessChecks: ReadinessCheck[] = [
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

  // System status: each check may report blockers; see system/status.ts for blocked vs degraded.
  const statusChecks: StatusCheck[] = [
    twilioStatusCheck(services.integrations, config.twilio.timeoutMs, config.sms),
    encryptionKeyCheck(services.keys, config.isProduction),
    storedSecretsCheck(services.twoFactorStore, services.keys),
    adminTwoFactorCheck(services.users, config.adminRequire2fa),
    migrationsCheck(database),
    limiterStoreCheck(limiterStore),
    limiterPersistenceCheck(limiterStore, config.isProduction),
    cookieSecurityCheck({ isProduction: config.isProduction, publicUrl: config.publicUrl }),
  ];

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.set('json spaces', 0);

  app.use(requestContext());
  app.use(requestLogging(logger));
  app.use(securityHeaders(config));
  app.use(createHealthRoutes({ registry, checks: readinessChecks }));

  const api = express.Router();
  api.use((_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  api.use(
    originCheck({
      allowedOrigins: [...config.allowedOrigins, ...(config.publicUrl ? [new URL(config.publicUrl).origin] : [])],
      // A production deployment names its public origin; a developer's browser talks to the port itself.
      allowOwnAddress: !config.isProduction,
    }),
  );
  // Twilio posts forms: its callback parses its own body, ahead of the JSON-only rule.
  api.use(
    createTwilioCallbackRoutes({
      registry,
      integrations: services.integrations,
      verifySignature: createTwilioSignatureVerifier({ authToken: config.twilio.authToken, publicUrl: config.publicUrl }),
      logger,
    }),
  );
  api.use(requireJsonBody());
  api.use(express.json({ limit: JSON_BODY_LIMIT, strict: true, type: ['application/json', 'application/*+json'] }));
  api.use(cookieParser());
  api.use(loadSession(sessions, cookie));
  api.use(
    createAuthRoutes({
      registry,
      accounts,
      audit,
      cookie,
      deviceCookie,
      registrationThrottle: services.registrationThrottle,
      freshSeconds: config.twoFactor.freshSeconds,
    }),
  );
  api.use(
    createTwoFactorRoutes({
      registry,
      twoFactor,
      sessions,
      cookie,
      freshSeconds: config.twoFactor.freshSeconds,
      onSecondFactorVerified: (req, res, user) => deviceCookie.issue(req, res, user.email, user.credentialEpoch),
    }),
  );
  const requireAdmin = createAdminGuard({ requireTwoFactor: config.adminRequire2fa });
  api.use(createAlertRoutes({ registry, requireAdmin, alerts: services.smsAlerts }));
  api.use(createIntegrationRoutes({ registry, requireAdmin, integrations: services.integrations }));
  api.use(createSystemStatusRoutes({ registry, requireAdmin, checks: statusChecks }));

  let openApiDocument: Record<string, unknown> | undefined;
  api.get('/api/openapi.json', (_req, res) => {
    openApiDocument ??= buildOpenApiDocument(registry, PROOFGATE_VERSION);
    res.json(openApiDocument);
  });
  registry.add({
    method: 'get',
    path: '/api/openapi.json',
    tag: 'system',
    summary: 'This OpenAPI 3.1 document',
    access: 'public',
    responses: { 200: { description: 'OpenAPI document' } },
  });
  api.use('/api', notFoundHandler);
  app.use(api);

  if (config.serveWeb && fs.existsSync(path.join(webDistDir, 'index.html'))) {
    app.use(express.static(webDistDir, { index: false, maxAge: '1h' }));
    // Client-side routes (/settings, /ops/alerts, ...) all load the single page.
    app.get(/^\/(?!api\/|healthz$|readyz$).*/, (_req, res) => {
      res.setHeader('Cache-Control', 'no-cache');
      res.sendFile(path.join(webDistDir, 'index.html'));
    });
  }

  app.use(notFoundHandler);
  app.use(problemMiddleware(logger));

  return {
    app,
    config,
    database,
    logger,
    services,
    close: () => services.close(),
  };
}
