import http from 'node:http';
import type { Socket } from 'node:net';
import type { Express } from 'express';

/**
 * An HTTP server for an Express app whose requests and responses are created with the app's own
 * prototypes (`app.request`, `app.response`) instead of Node's plain ones.
 *
 * Why: as a request enters an app, Express points its `req` and `res` at those prototypes with
 * `Object.setPrototypeOf`. On objects Node made as plain IncomingMessage/ServerResponse that
 * gives every request's two objects a new hidden class, and from then on every property access
 * on them — Express's, Node's own header and response code, Proofgate's — takes V8's slow,
 * megamorphic path, and allocates more. When the objects already have those prototypes, the
 * call changes nothing and costs nothing. Measured on the 2-core development machine, a bare
 * Express 5 app answering a small JSON body: 0.21 → 0.06 ms of CPU per request (node:http
 * alone: 0.04); docs/performance.md has Proofgate's own numbers. The technique is the one
 * proposed upstream in expressjs/express#5998.
 *
 * Nothing else changes: the objects still inherit from IncomingMessage and ServerResponse (the
 * app's prototypes do), so `instanceof` checks and every Node API behave as before.
 */
export function createExpressServer(app: Express, options: http.ServerOptions = {}): http.Server {
  // Function constructors, not classes: a class's `prototype` cannot be replaced, and the point
  // is that `new` yields an object whose prototype is exactly the app's.
  function AppRequest(this: http.IncomingMessage, socket: Socket) {
    (http.IncomingMessage as unknown as (this: http.IncomingMessage, socket: Socket) => void).call(this, socket);
  }
  AppRequest.prototype = app.request;
  function AppResponse(this: http.ServerResponse, req: http.IncomingMessage, responseOptions?: unknown) {
    (http.ServerResponse as unknown as (this: http.ServerResponse, req: http.IncomingMessage, o?: unknown) => void).call(this, req, responseOptions);
  }
  AppResponse.prototype = app.response;
  return http.createServer(
    {
      ...options,
      IncomingMessage: AppRequest as unknown as typeof http.IncomingMessage,
      ServerResponse: AppResponse as unknown as typeof http.ServerResponse,
    },
    app,
  );
}
