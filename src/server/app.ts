import express, { type Express } from 'express';
import type { Config } from './config';
import { createProofgateFromConfig, type Proofgate } from './gate/create';
import { requestBasics } from './gate/api-router';
import { notFoundHandler, problemMiddleware } from './http/problem';
import { serveWebUi } from './http/web-serving';
import type { ProofgateDeps } from './services';

export { PROOFGATE_VERSION } from './gate/api-router';
export { createServices, type ProofgateDeps, type ProofgateServices } from './services';

/** The standalone server: the library's gate mounted in an app of its own, plus the built UI. */
export interface StandaloneProofgate extends Proofgate {
  app: Express;
}

/**
 * `npm start`'s app, built the way any host builds one: the gate's router, then (SERVE_WEB) the
 * UI, then 404 and problem+json for everything else. The request basics (request id, log line,
 * security headers) and TRUST_PROXY are app-wide here, so the UI's files get them too.
 */
export function createStandaloneApp(gate: Proofgate): Express {
  const { config } = gate;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.set('json spaces', 0);
  // Every API answer is Cache-Control: no-store, so nothing ever revalidates an ETag; Express
  // would still hash each JSON body for one. The UI's assets keep theirs (express.static sets its
  // own); its index.html, sent as the fallback, is revalidated by Last-Modified.
  app.set('etag', false);
  app.use(requestBasics(gate.services));
  app.use(gate.router);
  // Every /api path is Proofgate's here: an unknown one is a problem+json 404, never the UI.
  app.use('/api', notFoundHandler);
  if (config.serveWeb) serveWebUi(app);
  app.use(notFoundHandler);
  app.use(problemMiddleware(gate.logger));
  return app;
}

/** Config → gate → standalone app: what main.ts, the tests' servers and the proof run. */
export async function createStandaloneProofgate(config: Config, deps: ProofgateDeps = {}): Promise<StandaloneProofgate> {
  const gate = await createProofgateFromConfig(config, deps);
  return { ...gate, app: createStandaloneApp(gate) };
}
