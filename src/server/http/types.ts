/** What every request carries once the context middleware and session loader have run. */
export interface RequestContext {
  requestId: string;
  /** The client address as Express resolves it under TRUST_PROXY, IPv4-mapped IPv6 unwrapped. */
  ip: string;
  userAgent: string | undefined;
}

export interface AuthenticatedUser {
  id: string;
  email: string;
  role: 'user' | 'admin';
  /** role = admin: granted only by an operator through the CLI, never by anything a user sends. */
  isAdmin: boolean;
  /** The account has a second factor: then only an AAL2 session may use authenticated routes. */
  twoFactorEnabled: boolean;
}

export interface AuthenticatedSession {
  id: string;
  aal: 1 | 2;
  authenticatedAt: Date;
  createdAt: Date;
  /** The credential epoch the session was issued under (equal to the user's, or it would not resolve). */
  credentialEpoch: number;
}

export interface AuthContext {
  user: AuthenticatedUser;
  session: AuthenticatedSession;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      context: RequestContext;
      auth?: AuthContext;
    }
  }
}
