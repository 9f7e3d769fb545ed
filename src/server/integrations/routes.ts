import express, { Router, type RequestHandler } from 'express';
import type { Logger } from 'pino';
import { AppError } from '../core/app-error';
import { wantsRefresh } from '../http/refresh-query';
import { mountJsonGet } from '../http/json-get';
import { mountRoute, type RouteRegistry } from '../http/route';
import { integrationsStatusQuery, integrationsStatusView, twilioSendsQuery, twilioSendsView, twilioStatusCallbackBody } from './schemas';
import type { IntegrationStatus, IntegrationsService, RecentSend } from './service';
import { STATUS_CALLBACK_PATH, type TwilioSignatureVerifier } from './twilio/status-callback';

const CALLBACK_BODY_LIMIT = '16kb';

/** Refuses any callback whose X-Twilio-Signature does not match, before its body is looked at. */
function requireTwilioSignature(verify: TwilioSignatureVerifier, logger: Logger): RequestHandler {
  return (req, _res, next) => {
    const params = req.body && typeof req.body === 'object' ? (req.body as Record<string, string>) : {};
    verify({ signature: req.get('x-twilio-signature'), pathAndQuery: req.url, params }).then((check) => {
      if (!check.ok) {
        (req.log ?? logger).warn({ reason: check.reason }, 'twilio callback signature rejected');
        return next(new AppError('SIGNATURE_INVALID'));
      }
      next();
    }, next);
  };
}

/**
 * Twilio's status callback: form-encoded, so this router is mounted before the API's
 * JSON-only middleware and parses its own body. Authenticated by signature only.
 */
export function createTwilioCallbackRoutes(deps: {
  registry: RouteRegistry;
  integrations: IntegrationsService;
  verifySignature: TwilioSignatureVerifier;
  logger: Logger;
}): Router {
  const router = Router();
  mountRoute(
    router,
    deps.registry,
    {
      method: 'post',
      path: STATUS_CALLBACK_PATH,
      tag: 'integrations',
      summary: 'Twilio message status callback (X-Twilio-Signature required)',
      description:
        'Verified with the auth token over PUBLIC_URL + this path; records delivery_status on the usage event whose provider_reference is MessageSid. A final status is never replaced by an earlier one arriving late.',
      access: 'signed-callback',
      body: twilioStatusCallbackBody,
      bodyContentType: 'application/x-www-form-urlencoded',
      responses: { 204: { description: 'Recorded (or no matching event: nothing to do)' } },
      errorCodes: ['SIGNATURE_INVALID'],
    },
    [express.urlencoded({ extended: false, limit: CALLBACK_BODY_LIMIT, parameterLimit: 100 }), requireTwilioSignature(deps.verifySignature, deps.logger)],
    async ({ res, body }) => {
      await deps.integrations.recordDeliveryStatus({
        integration: 'twilio',
        providerReference: body.MessageSid,
        deliveryStatus: body.MessageStatus,
        providerErrorCode: body.ErrorCode,
      });
      res.status(204).end();
    },
  );
  return router;
}

export function integrationStatusToView(status: IntegrationStatus) {
  return {
    name: status.name,
    configured: status.configured,
    connected: status.connected,
    last_checked_at: status.lastCheckedAt?.toISOString() ?? null,
    last_used_at: status.lastUsedAt?.toISOString() ?? null,
    proof_of_use_count_24h: status.proofOfUseCount24h,
    last_error_code: status.lastErrorCode,
  };
}

function recentSendToView(send: RecentSend) {
  return {
    trace_id: send.traceId,
    created_at: send.createdAt.toISOString(),
    masked_destination: send.maskedDestination,
    status: send.status,
    provider_error_code: send.providerErrorCode,
    delivery_status: send.deliveryStatus,
    delivery_updated_at: send.deliveryUpdatedAt?.toISOString() ?? null,
  };
}

/** /api/integrations: the control plane's view of each integration. Admin only. */
export function createIntegrationRoutes(deps: { registry: RouteRegistry; requireAdmin: RequestHandler; integrations: IntegrationsService }): Router {
  const router = Router();
  mountJsonGet(
    router,
    deps.registry,
    {
      path: '/api/integrations/status',
      tag: 'integrations',
      summary: 'Configured, connected and used: the status of every integration (Twilio, SMTP)',
      access: 'admin',
      query: integrationsStatusQuery,
      responses: { 200: { description: 'One entry per integration', schema: integrationsStatusView } },
    },
    [deps.requireAdmin],
    async ({ query }) => {
      const integrations = await deps.integrations.list({ refresh: wantsRefresh(query.refresh) });
      return { integrations: integrations.map(integrationStatusToView) };
    },
  );
  mountJsonGet(
    router,
    deps.registry,
    {
      path: '/api/integrations/twilio/sends',
      tag: 'integrations',
      summary: 'Recent test SMS sends: time, masked number, outcome, trace_id, error code and delivery status',
      description: 'Newest first. delivery_status follows the signed Twilio status callback, so polling this shows a send move from sent to delivered.',
      access: 'admin',
      query: twilioSendsQuery,
      responses: { 200: { description: 'The newest sends', schema: twilioSendsView } },
    },
    [deps.requireAdmin],
    async ({ query }) => {
      const sends = await deps.integrations.recentTwilioSends(query.limit ? Number(query.limit) : 10);
      return { sends: sends.map(recentSendToView) };
    },
  );
  return router;
}
