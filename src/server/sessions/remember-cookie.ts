import type { CookieOptions, Request, Response } from 'express';

/**
 * The "remember this browser" cookie: a bearer token that stands in for the second factor (never
 * the password), so it gets the session cookie's protections — httpOnly, SameSite=Strict, and
 * the __Host- prefix in production. Distinct from the limits capability's device cookie, which
 * only marks a known device for throttling and skips nothing.
 */
export const REMEMBER_COOKIE_DEV = 'proofgate_remember';
export const REMEMBER_COOKIE_PRODUCTION = '__Host-proofgate_remember';

export interface RememberCookie {
  read(req: Request): string | undefined;
  set(res: Response, token: string, maxAgeSeconds: number): void;
  clear(res: Response): void;
}

export function createRememberCookie(isProduction: boolean): RememberCookie {
  const name = isProduction ? REMEMBER_COOKIE_PRODUCTION : REMEMBER_COOKIE_DEV;
  const options: CookieOptions = { httpOnly: true, sameSite: 'strict', secure: isProduction, path: '/' };
  return {
    read(req) {
      const value = (req.cookies as Record<string, unknown> | undefined)?.[name];
      return typeof value === 'string' && value.length > 0 ? value : undefined;
    },
    set(res, token, maxAgeSeconds) {
      res.cookie(name, token, { ...options, maxAge: maxAgeSeconds * 1000 });
    },
    clear(res) {
      res.clearCookie(name, options);
    },
  };
}
