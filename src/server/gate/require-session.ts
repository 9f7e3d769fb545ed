import cookieParser from 'cookie-parser';
import type { Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { adminRefusal, secondFactorRefusal, sessionRefusal } from '../auth/guards';
import type { SessionService } from '../auth/session-service';
import type { AppError } from '../core/app-error';
import { originCheck, type OriginPolicy } from '../http/origin-check';
import { problemMiddleware } from '../http/problem';
import { requestContext } from '../http/request-context';
import type { SessionCookie } from '../http/session-cookie';
import type { AuthContext } from '../core/auth-context';
import type { ProofgateRequestState } from './request-types';
import './request-types';

export interface RequireSessionOptions {
  /** 2: the session must have proven a second factor (403 TWO_FACTOR_REQUIRED otherwise). */
  aal?: 1 | 2;
  /** Admins only (403 FORBIDDEN otherwise), with ADMIN_REQUIRE_2FA's rule for admin sessions. */
  admin?: boolean;
}

export type RequireSession = (options?: RequireSessionOptions) => RequestHandler;

interface GuardDeps {
  sessions: SessionService;
  cookie: SessionCookie;
  originPolicy: OriginPolicy;
  adminRequire2fa: boolean;
  logger: Logger;
}

function refusalFor(auth: AuthContext | undefined, options: RequireSessionOptions, adminRequire2fa: boolean): AppError | undefined {
  if (options.admin) return adminRefusal(auth, adminRequire2fa) ?? (options.aal === 2 ? secondFactorRefusal(auth) : undefined);
  return options.aal === 2 ? secondFactorRefusal(auth) : sessionRefusal(auth);
}

function stateOf(auth: AuthContext): ProofgateRequestState {
  return {
    user: { id: auth.user.id, email: auth.user.email, role: auth.user.role },
    session: { id: auth.session.id, aal: auth.session.aal, created_at: auth.session.createdAt.toISOString() },
  };
}

/** Runs one middleware to its callback as a promise (the Express-style pieces reused below). */
function step(handler: RequestHandler, req: Request, res: Response): Promise<void> {
  return new Promise((resolve, reject) => {
    void handler(req, res, (error?: unknown) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve()));
  });
}

/**
 * The host app's guard: the same session resolution, AAL rule and Origin rule as Proofgate's
 * own routes (auth/guards.ts), answered as problem+json here, whatever the host's error handler
 * does. A host route sees only `req.proofgate` (id, email, role; session id, aal, created_at).
 */
export function createRequireSession(deps: GuardDeps): RequireSession {
  const context = requestContext();
  const cookies = cookieParser();
  const origin = originCheck(deps.originPolicy);
  const answerError = problemMiddleware(deps.logger);
  return (options = {}) =>
    async (req, res, next) => {
      try {
        if (!req.context) await step(context, req, res);
        await step(origin, req, res);
        if (req.cookies === undefined) await step(cookies, req, res);
        const token = deps.cookie.read(req);
        const auth = token ? await deps.sessions.resolve(token) : undefined;
        const refusal = refusalFor(auth, options, deps.adminRequire2fa);
        if (refusal) throw refusal;
        req.proofgate = stateOf(auth!);
        next();
      } catch (error) {
        answerError(error, req, res, next);
      }
    };
}
