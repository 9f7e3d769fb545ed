import type { Router } from 'express';
import type { Logger } from 'pino';
import type { SmsAlertInput, SmsTestResult } from '../alerts/service';
import type { Config } from '../config';
import type { DatabaseHandle } from '../db/client';
import { createSessionCookie } from '../http/session-cookie';
import { OUTBOX_POLL_MS } from '../mail/capability';
import { HOUSEKEEPING_INTERVAL_MS } from '../housekeeping/worker';
import { createServices, type ProofgateDeps, type ProofgateServices } from '../services';
import { configFromOptions, type ProofgateOptions } from '../settings/options';
import { createApiRouter, originPolicyOf } from './api-router';
import { createRequireSession, type RequireSession } from './require-session';

/** What createProofgate resolves to: mount `router`, guard host routes with `requireSession()`. */
export interface Proofgate {
  /** /api/auth/*, /api/alerts/*, /api/integrations/*, /api/system/*, /api/openapi.json, /healthz, /readyz. */
  router: Router;
  /** A host route's guard: 401 UNAUTHENTICATED, 403 TWO_FACTOR_REQUIRED / FORBIDDEN as problem+json; sets req.proofgate. */
  requireSession: RequireSession;
  /** Sends the host's own SMS alert through the audited SMS path (geo permissions, usage row, audit, telemetry). */
  sendSmsAlert(input: SmsAlertInput): Promise<SmsTestResult>;
  /** Drains and closes the database pool and the limiter store. */
  close(): Promise<void>;
  config: Config;
  database: DatabaseHandle;
  logger: Logger;
  /** The services behind the routes: what the admin CLI runs its commands on (tests and the proof run them in-process). */
  services: ProofgateServices;
}

/** Builds the gate from an already parsed Config (the standalone server parses the environment). */
export async function createProofgateFromConfig(config: Config, deps: ProofgateDeps = {}): Promise<Proofgate> {
  const services = await createServices(config, deps);
  const cookie = createSessionCookie(config.isProduction);
  const router = createApiRouter(services, cookie);
  // The mail outbox sends in the background from here on; close() drains it.
  services.mail.outbox.start(OUTBOX_POLL_MS);
  // Dead rows (expired sessions, spent tokens) are purged in the background too; close() stops it.
  services.housekeeping.start(HOUSEKEEPING_INTERVAL_MS);
  const requireSession = createRequireSession({
    sessions: services.sessions,
    cookie,
    originPolicy: originPolicyOf(config),
    adminRequire2fa: config.adminRequire2fa,
    logger: services.logger,
  });
  return {
    router,
    requireSession,
    sendSmsAlert: (input) => services.smsAlerts.sendAlert(input),
    close: () => services.close(),
    config,
    database: services.database,
    logger: services.logger,
    services,
  };
}

/**
 * The library's entry: typed options (every environment setting camelCased, same defaults and
 * validation; `serveWeb` off when mounted) → a router to mount and a guard for host routes.
 * Throws ConfigError naming every bad option before anything is opened.
 */
export async function createProofgate(options: ProofgateOptions = {}, deps: ProofgateDeps = {}): Promise<Proofgate> {
  return createProofgateFromConfig(configFromOptions(options, { serveWeb: false }), deps);
}
