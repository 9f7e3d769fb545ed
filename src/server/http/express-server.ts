import http from 'node:http';
import type { Express } from 'express';

/**
 * An HTTP server for an Express app whose requests and responses are created with the app's own
 * prototypes instead of Node's plain ones.
 *
 * Why: as a request enters an app, Express points its `req` and `res` at `app.request` and
 * `app.response` with `Object.setPrototypeOf`. On objects Node made as plain IncomingMessage and
 * ServerResponse that gives every request's two objects a new hidden class, and from then on
 * every property access on them — Express's, Node's own header and response code, Proofgate's —
 * takes V8's slow, megamorphic path, and allocates more. When the objects already have those
 * prototypes, the call changes nothing and costs nothing (the technique proposed upstream in
 * expressjs/express#5998). Measured on the 2-core development machine, a bare Express 5 app
 * answering a small JSON body: 0.21 → 0.06 ms of CPU per request (node:http alone: 0.04);
 * docs/performance.md has Proofgate's own numbers.
 *
 * The objects come from subclasses of Node's classes, so V8 sizes them as it sizes Node's own
 * (room in the object for every field Node's constructor sets): built any other way — a plain
 * function calling Node's constructor, or Reflect.construct with another `new.target` — they
 * either start with too little room and turn into slow dictionary-mode objects as Express and
 * Proofgate add their fields, or cost more to make than they save (both measured). The
 * subclasses' prototypes take over what `app.request` and `app.response` hold (Express's methods
 * and `app`), and become the app's `request` and `response`.
 *
 * Nothing else changes: the objects still inherit from IncomingMessage and ServerResponse, so
 * `instanceof` checks and every Node API behave as before.
 */
export function createExpressServer(app: Express, options: http.ServerOptions = {}): http.Server {
  class AppRequest extends http.IncomingMessage {}
  app.request = adoptPrototype(AppRequest.prototype, app.request);
  class AppResponse extends http.ServerResponse {}
  app.response = adoptPrototype(AppResponse.prototype, app.response);
  return http.createServer(
    {
      ...options,
      IncomingMessage: AppRequest,
      ServerResponse: AppResponse as typeof http.ServerResponse,
    },
    app,
  );
}

/** `target` takes over `source`'s own properties and [[Prototype]]: an object that behaves as `source` does. */
function adoptPrototype<T>(target: object, source: T): T {
  Object.defineProperties(target, Object.getOwnPropertyDescriptors(source));
  Object.setPrototypeOf(target, Object.getPrototypeOf(source) as object);
  return target as T;
}
