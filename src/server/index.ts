/**
 * The `proofgate` package: mount Proofgate in an Express 5 app (docs/embedding.md).
 *
 *   const gate = await createProofgate({ databaseUrl, encKey, publicUrl });
 *   app.use(gate.router);
 *   app.get('/api/orders', gate.requireSession(), handler);
 */
export { createProofgate, type Proofgate } from './gate/create';
export type { RequireSession, RequireSessionOptions } from './gate/require-session';
export type { ProofgateRequestSession, ProofgateRequestState, ProofgateRequestUser } from './gate/request-types';
export type { ProofgateOptions, SettingsOptions } from './settings/options';
export type { ProofgateDeps, ProofgateServices } from './services';
export type { SmsAlertInput, SmsTestResult as SmsAlertResult } from './alerts/service';
export { ConfigError, type Config } from './config';
export { AppError as ProofgateError } from './core/app-error';
export type { ErrorCode } from './core/error-codes';
export { PROOFGATE_VERSION } from './gate/api-router';
export { createExpressServer } from './http/express-server';
import './gate/request-types';
