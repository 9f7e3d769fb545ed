import { Router, type Request, type RequestHandler, type Response } from 'express';
import { requireFreshSession, requireSession } from '../auth/guards';
import type { SessionService } from '../auth/session-service';
import type { SessionCookie } from '../http/session-cookie';
import { mountJsonGet } from '../http/json-get';
import { mountRoute, type RouteRegistry, type RouteSpec } from '../http/route';
import type { RememberCookie } from './remember-cookie';
import type { RememberedDeviceService } from './remembered-devices';
import { revokeOthersView, sessionsOverviewView } from './schemas';
import type { SessionsService } from './service';
import { rememberedDeviceToView, sessionItemToView } from './views';

/** Express 5 types a path parameter as string | string[]; these routes declare single ones. */
const pathParam = (req: Request, name: string): string => {
  const value = (req.params as Record<string, string | string[] | undefined>)[name];
  return typeof value === 'string' ? value : '';
};

/**
 * After a passed second factor with remember_device: true, remembers this browser and sets its
 * cookie; a no-op when TWO_FACTOR_REMEMBER_DAYS is 0.
 */
export function createRememberThisBrowser(rememberedDevices: RememberedDeviceService, rememberCookie: RememberCookie) {
  return async (req: Request, res: Response, user: { id: string; credentialEpoch: number }): Promise<Date | undefined> => {
    const remembered = await rememberedDevices.remember(user, req.context, rememberCookie.read(req));
    if (!remembered) return undefined;
    rememberCookie.set(res, remembered.token, remembered.maxAgeSeconds);
    return remembered.expiresAt;
  };
}

interface SessionsRoutesDeps {
  registry: RouteRegistry;
  sessions: SessionsService;
  rememberDays: number;
  cookie: SessionCookie;
  rememberCookie: RememberCookie;
  /** For the freshness check: ending sessions needs a recent proof of the password (ASVS 5.0 7.5.2). */
  sessionService: SessionService;
  freshSeconds: number;
}

/** DELETE of one of the user's own rows: signed in, signed in recently, the removal, then 204. */
function mountFreshRemoval(
  router: Router,
  registry: RouteRegistry,
  freshGuards: RequestHandler[],
  spec: Omit<RouteSpec, 'method'>,
  remove: (req: Request, res: Response) => Promise<void>,
): void {
  mountRoute(router, registry, { method: 'delete', ...spec }, freshGuards, async ({ req, res }) => {
    await remove(req, res);
    res.status(204).end();
  });
}

/** /api/auth/sessions and /api/auth/remembered-devices: only ever the signed-in user's own rows. */
export function createSessionsRoutes(deps: SessionsRoutesDeps): Router {
  const router = Router();
  const freshGuards = [requireSession, requireFreshSession(deps.sessionService, deps.freshSeconds)];
  mountSessionRoutes(router, deps, freshGuards);
  mountRememberedDeviceRoutes(router, deps, freshGuards);
  return router;
}

function mountSessionRoutes(router: Router, deps: SessionsRoutesDeps, freshGuards: RequestHandler[]): void {
  const { registry, sessions, cookie, rememberCookie } = deps;
  mountJsonGet(
    router,
    registry,
    {
      path: '/api/auth/sessions',
      tag: 'sessions',
      summary: "The signed-in user's active sessions and remembered browsers",
      access: 'session',
      responses: { 200: { description: 'Sessions, most recently active first', schema: sessionsOverviewView } },
      errorCodes: ['TWO_FACTOR_REQUIRED'],
    },
    [requireSession],
    async ({ req }) => {
      const overview = await sessions.overview(req.auth!, rememberCookie.read(req));
      return {
        sessions: overview.sessions.map(sessionItemToView),
        remembered_devices: overview.rememberedDevices.map(rememberedDeviceToView),
        remember_device_days: deps.rememberDays,
      };
    },
  );

  mountRoute(
    router,
    registry,
    {
      method: 'post',
      path: '/api/auth/sessions/revoke-others',
      tag: 'sessions',
      summary: 'Sign out everywhere else: ends every other session and forgets every other remembered browser',
      access: 'session',
      responses: { 200: { description: 'What was ended', schema: revokeOthersView } },
      errorCodes: ['TWO_FACTOR_REQUIRED', 'SESSION_NOT_FRESH'],
    },
    freshGuards,
    async ({ req, res }) => {
      const result = await sessions.revokeOthers(req.auth!, rememberCookie.read(req), req.context);
      res.json({ sessions_revoked: result.sessionsRevoked, remembered_devices_forgotten: result.devicesForgotten });
    },
  );

  mountFreshRemoval(
    router,
    registry,
    freshGuards,
    {
      path: '/api/auth/sessions/:id',
      tag: 'sessions',
      summary: 'Sign out one session of the signed-in user (its cookie stops working at once)',
      description: "Another user's session id answers NOT_FOUND like an unknown one. Ending the current session signs this browser out.",
      access: 'session',
      responses: { 204: { description: 'Session ended' } },
      errorCodes: ['NOT_FOUND', 'TWO_FACTOR_REQUIRED', 'SESSION_NOT_FRESH'],
    },
    async (req, res) => {
      const { current } = await sessions.revoke(req.auth!, pathParam(req, 'id'), req.context);
      if (current) cookie.clear(res);
    },
  );
}

function mountRememberedDeviceRoutes(router: Router, deps: SessionsRoutesDeps, freshGuards: RequestHandler[]): void {
  const { registry, sessions, rememberCookie } = deps;
  mountFreshRemoval(
    router,
    registry,
    freshGuards,
    {
      path: '/api/auth/remembered-devices/:id',
      tag: 'sessions',
      summary: 'Forget one remembered browser: its next sign-in asks for the second factor again',
      description: "Another user's device id answers NOT_FOUND like an unknown one. Sessions already open stay open (end them with DELETE /api/auth/sessions/{id}).",
      access: 'session',
      responses: { 204: { description: 'Browser forgotten' } },
      errorCodes: ['NOT_FOUND', 'TWO_FACTOR_REQUIRED', 'SESSION_NOT_FRESH'],
    },
    async (req, res) => {
      const { current } = await sessions.forgetDevice(req.auth!, pathParam(req, 'id'), rememberCookie.read(req), req.context);
      if (current) rememberCookie.clear(res);
    },
  );
}
