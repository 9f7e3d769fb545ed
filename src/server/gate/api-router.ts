import cookieParser from 'cookie-parser';
import express, { Router } from 'express';
import { createAlertRoutes } from '../alerts/routes';
import { createAdminGuard, loadSession } from '../auth/guards';
import { createPasswordResetRoutes } from '../auth/password-reset-routes';
import { createAuthRoutes } from '../auth/routes';
import { withNewDeviceNotice } from '../mail/new-device-cookie';
import { createIntegrationRoutes, createTwilioCallbackRoutes } from '../integrations/routes';
import { createTwilioSignatureVerifier } from '../integrations/twilio/status-callback';
import { requireJsonBody } from '../http/json-only';
import { mountOpenApiRoute } from '../http/openapi-route';
import { originCheck, type OriginPolicy } from '../http/origin-check';
import { notFoundHandler, problemMiddleware } from '../http/problem';
import { requestContext } from '../http/request-context';
import { requestLogging } from '../http/request-logging';
import { RouteRegistry } from '../http/route';
import { securityHeaders } from '../http/security-headers';
import type { SessionCookie } from '../http/session-cookie';
import { createDeviceCookie, type DeviceCookie } from '../http/device-cookie';
import { createRefusalHold } from '../lib/refusal-hold';
import { THROTTLE_MAX_HELD_REFUSALS } from '../limits/limit-gate';
import type { ProofgateServices } from '../services';
import { readinessChecks, statusChecks } from '../composition/system-checks';
import { createDocsRoutes } from '../system/docs-routes';
import { createHealthRoutes } from '../system/health-routes';
import { createSystemStatusRoutes } from '../system/status-routes';
import { createPasskeyRoutes } from '../passkeys/routes';
import { createRememberCookie } from '../sessions/remember-cookie';
import { createRememberThisBrowser, createSessionsRoutes } from '../sessions/routes';
import { createTwoFactorRoutes } from '../twofactor/routes';
import '../http/types';

export const PROOFGATE_VERSION = '0.1.0';
const JSON_BODY_LIMIT = '16kb';

/** The paths Proofgate answers when mounted in a host app; every other request passes to the host untouched. */
const OWN_PREFIXES = ['/api/auth/', '/api/alerts/', '/api/integrations/', '/api/system/', '/api/docs/'];
const OWN_PATHS = new Set(['/api/openapi.json', '/api/docs', '/healthz', '/readyz', '/api/auth', '/api/alerts', '/api/integrations', '/api/system']);

export function isProofgatePath(path: string): boolean {
  return OWN_PATHS.has(path) || OWN_PREFIXES.some((prefix) => path.startsWith(prefix));
}

export function originPolicyOf(config: ProofgateServices['config']): OriginPolicy {
  return {
    allowedOrigins: [...config.allowedOrigins, ...(config.publicUrl ? [new URL(config.publicUrl).origin] : [])],
    // A production deployment names its public origin; a developer's browser talks to the port itself.
    allowOwnAddress: !config.isProduction,
  };
}

/** The known-device cookie, which queues a new-device notice when a sign-in comes from a browser without it. */
function createNoticingDeviceCookie(services: ProofgateServices): DeviceCookie {
  return withNewDeviceNotice(
    createDeviceCookie({
      isProduction: services.config.isProduction,
      masterKey: services.keys.ring.current.key,
      randomBytes: services.randomBytes,
    }),
    { findUserId: async (email) => (await services.users.findByEmail(email))?.id, notices: services.mail.notices },
  );
}

/** The /api chain, in order: Origin rule, Twilio's form callback, JSON-only bodies, session, routes. */
function createApi(services: ProofgateServices, registry: RouteRegistry, cookie: SessionCookie): Router {
  const { config, logger, sessions } = services;
  const deviceCookie = createNoticingDeviceCookie(services);
  const freshSeconds = config.twoFactor.freshSeconds;
  const rememberCookie = createRememberCookie(config.isProduction);
  const requireAdmin = createAdminGuard({ requireTwoFactor: config.adminRequire2fa });
  const api = Router();
  api.use((_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  api.use(originCheck(originPolicyOf(config)));
  // Twilio posts forms: its callback parses its own body, ahead of the JSON-only rule.
  const verifySignature = createTwilioSignatureVerifier({ authToken: config.twilio.authToken, publicUrl: config.publicUrl });
  api.use(createTwilioCallbackRoutes({ registry, integrations: services.integrations, verifySignature, logger }));
  api.use(requireJsonBody());
  api.use(express.json({ limit: JSON_BODY_LIMIT, strict: true, type: ['application/json', 'application/*+json'] }));
  api.use(cookieParser());
  api.use(loadSession(sessions, cookie));
  api.use(
    createAuthRoutes({
      registry,
      accounts: services.accounts,
      audit: services.audit,
      cookie,
      deviceCookie,
      registrationThrottle: services.registrationThrottle,
      freshSeconds,
      readRememberedDevice: (req) => rememberCookie.read(req),
      rememberDeviceDays: config.twoFactor.rememberDays,
    }),
  );
  api.use(
    createSessionsRoutes({
      registry,
      sessions: services.sessionsList,
      rememberDays: config.twoFactor.rememberDays,
      cookie,
      rememberCookie,
      sessionService: sessions,
      freshSeconds,
    }),
  );
  api.use(
    createTwoFactorRoutes({
      registry,
      twoFactor: services.twoFactor,
      sessions,
      cookie,
      freshSeconds,
      onSecondFactorVerified: (req, res, user) => deviceCookie.issue(req, res, user.email, user.credentialEpoch),
      rememberThisBrowser: createRememberThisBrowser(services.rememberedDevices, rememberCookie),
    }),
  );
  api.use(
    createPasskeyRoutes({
      registry,
      passkeys: services.passkeys.service,
      login: services.passkeys.login,
      relyingParty: services.passkeys.relyingParty,
      sessions,
      cookie,
      freshSeconds,
      onSignedIn: (req, res, user) => deviceCookie.issue(req, res, user.email, user.credentialEpoch),
      optionsThrottle: services.passkeyOptionsThrottle,
    }),
  );
  api.use(createPasswordResetRoutes({ registry, resets: services.passwordResets }));
  api.use(createAlertRoutes({ registry, requireAdmin, alerts: services.smsAlerts }));
  api.use(createIntegrationRoutes({ registry, requireAdmin, integrations: services.integrations }));
  api.use(createSystemStatusRoutes({ registry, requireAdmin, checks: statusChecks(services) }));
  mountOpenApiRoute(api, registry, PROOFGATE_VERSION);
  api.use(createDocsRoutes({ registry }));
  api.use('/api', notFoundHandler);
  return api;
}

/** Request id and context, the request's log line and the security headers, in that order. */
export function requestBasics(services: ProofgateServices): Router {
  const router = Router();
  router.use(requestContext());
  router.use(requestLogging(services.logger));
  router.use(securityHeaders({ isProduction: services.config.isProduction }));
  return router;
}

/**
 * Proofgate's whole HTTP surface as one Express router. Requests outside its paths go straight
 * to the next handler, untouched by its body parsing, Origin rule or 404: a host's own routes
 * (`/api/orders`) are never shadowed. Errors on its routes are answered here as problem+json,
 * so they never depend on the host's error handler. A host that already gave the request
 * Proofgate's basics (the standalone server does, app-wide) is not given them twice.
 */
export function createApiRouter(services: ProofgateServices, cookie: SessionCookie): Router {
  const registry = new RouteRegistry(services.sessionWriteBudget);
  const basics = requestBasics(services);
  const inner = Router();
  inner.use((req, res, next) => (req.context ? next() : basics(req, res, next)));
  inner.use(createHealthRoutes({ registry, checks: readinessChecks(services) }));
  inner.use(createApi(services, registry, cookie));
  inner.use(notFoundHandler);
  inner.use(problemMiddleware(services.logger, createRefusalHold({ delayMs: services.config.limits.refusalDelayMs, maxHeld: THROTTLE_MAX_HELD_REFUSALS })));
  const router = Router();
  router.use((req, res, next) => (isProofgatePath(req.path) ? inner(req, res, next) : next()));
  return router;
}
