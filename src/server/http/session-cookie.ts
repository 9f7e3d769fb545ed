import type { CookieOptions, Request, Response } from 'express';

export const SESSION_COOKIE_DEV = 'proofgate_session';
/** The __Host- prefix makes the browser refuse the cookie unless Secure, Path=/ and host-only. */
export const SESSION_COOKIE_PRODUCTION = '__Host-proofgate_session';

export interface SessionCookie {
  name: string;
  read(req: Request): string | undefined;
  set(res: Response, token: string, maxAgeSeconds: number): void;
  clear(res: Response): void;
}

export function createSessionCookie(isProduction: boolean): SessionCookie {
  const name = isProduction ? SESSION_COOKIE_PRODUCTION : SESSION_COOKIE_DEV;
  const options: CookieOptions = {
    httpOnly: true,
    sameSite: 'strict',
    secure: isProduction,
    path: '/',
  };
  return {
    name,
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
