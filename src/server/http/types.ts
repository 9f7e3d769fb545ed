import type { Logger } from 'pino';
import type { AuthContext } from '../core/auth-context';
import type { RequestOrigin } from '../core/request-origin';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** Set by the request-context middleware before any route runs. */
      context: RequestOrigin;
      /** Set by the session loader when the session cookie resolves. */
      auth?: AuthContext;
      /** A logger bound to the request id (http/request-logging.ts), made on first use. */
      log?: Logger;
    }
  }
}
