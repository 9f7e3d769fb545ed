import { Router, type Request } from 'express';
import type { AuditLog } from '../audit/service';
import type { RequestOrigin } from '../core/request-origin';
import type { DeviceCookie } from '../http/device-cookie';
import type { RouteRegistry } from '../http/route';
import type { SessionCookie } from '../http/session-cookie';
import type { AccountService, DeviceIdReader } from './account-service';
import { mountChangePasswordRoute, mountMeRoute, mountReauthenticateRoute, mountSecurityEventsRoute } from './account-routes';
import { mountLoginRoute, mountLogoutRoute, mountRegisterRoute } from './sign-in-routes';

/**
 * Registration throttle (filled by the throttle policy, composition/throttle-policy.ts): takes a point per attempt,
 * whatever its outcome, and throws RATE_LIMITED when over a limit. It sits here rather than in
 * the account service because only HTTP sign-ups are anonymous; the CLI's user:create is not.
 */
export interface RegistrationThrottle {
  beforeAttempt(origin: RequestOrigin): Promise<void>;
}

export interface AuthRoutesDeps {
  registry: RouteRegistry;
  accounts: AccountService;
  audit: AuditLog;
  cookie: SessionCookie;
  freshSeconds: number;
  deviceCookie: DeviceCookie | undefined;
  /** Absent only in a build without the limits capability. */
  registrationThrottle?: RegistrationThrottle;
  /** The browser's remembered-device token (sessions capability), offered to the password step. */
  readRememberedDevice?: (req: Request) => string | undefined;
  /** TWO_FACTOR_REMEMBER_DAYS, told to the second-factor step so it can offer "Remember this browser". */
  rememberDeviceDays?: number;
}

/** Reads the request's device cookie for the password step's throttle key. */
export type DeviceIdReaderFor = (req: Request) => DeviceIdReader;

/** /api/auth: sign-up, sign-in and out, and the signed-in user's own account. */
export function createAuthRoutes(deps: AuthRoutesDeps): Router {
  const router = Router();
  const deviceIdReader: DeviceIdReaderFor = (req) => (email, credentialEpoch) => deps.deviceCookie?.deviceIdFor(req, email, credentialEpoch);
  mountRegisterRoute(router, deps);
  mountLoginRoute(router, deps, deviceIdReader);
  mountLogoutRoute(router, deps);
  mountMeRoute(router, deps);
  mountReauthenticateRoute(router, deps, deviceIdReader);
  mountChangePasswordRoute(router, deps, deviceIdReader);
  mountSecurityEventsRoute(router, deps);
  return router;
}
