/** What `requireSession()` puts on a host route's request. */
export interface ProofgateRequestUser {
  id: string;
  email: string;
  role: 'user' | 'admin';
}

export interface ProofgateRequestSession {
  id: string;
  /** 1: password only; 2: a second factor was proven in this session. */
  aal: 1 | 2;
  /** ISO 8601, like every time in Proofgate's API. */
  created_at: string;
}

export interface ProofgateRequestState {
  user: ProofgateRequestUser;
  session: ProofgateRequestSession;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** Set by gate.requireSession() on the routes it guards. */
      proofgate?: ProofgateRequestState;
    }
  }
}
