import type { Request, Response } from 'express';
import type { SessionCookie } from './session-cookie';

/** The part of an issued session the browser is given: its token, in a cookie that lives as long as it does. */
export interface CookieSession {
  token: string;
  maxAgeSeconds: number;
}

/** What a sign-in route needs to hand the browser its new session. */
export interface SignedInBrowser {
  cookie: SessionCookie;
  /** Ends a session by its token (the one the browser held before this sign-in). */
  revokeToken(token: string): Promise<void>;
  /** Runs after a successful sign-in (the limits capability marks the browser as a known device). */
  onSignedIn?: (req: Request, res: Response, user: { email: string; credentialEpoch: number }) => void;
}

/**
 * The end of a sign-in that passed its second factor (TOTP, backup code or passkey): any session
 * the browser held before is replaced by the new AAL2 one, its cookie is set, and the device
 * hook runs. The route then answers with its own view.
 */
export async function handOverSignedInSession(
  req: Request,
  res: Response,
  browser: SignedInBrowser,
  result: { user: { email: string; credentialEpoch: number }; issued: CookieSession },
): Promise<void> {
  const previous = browser.cookie.read(req);
  if (previous) await browser.revokeToken(previous);
  browser.cookie.set(res, result.issued.token, result.issued.maxAgeSeconds);
  browser.onSignedIn?.(req, res, result.user);
}

/**
 * The answer of a factor change that rotated this session's token: the new cookie, then the
 * route's fields followed by the session view.
 */
export function answerWithRotatedSession(
  res: Response,
  cookie: SessionCookie,
  issued: CookieSession,
  fields: Record<string, unknown>,
  session: unknown,
): void {
  cookie.set(res, issued.token, issued.maxAgeSeconds);
  res.json({ ...fields, session });
}
