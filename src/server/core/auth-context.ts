/** Who is calling, as the session loader resolved it: what guards and services decide on. */
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
  /** AAL2 came from a remembered device, not a code at this sign-in: admin guards demanding 2FA refuse it. */
  secondFactorRemembered: boolean;
}

export interface AuthContext {
  user: AuthenticatedUser;
  session: AuthenticatedSession;
}
