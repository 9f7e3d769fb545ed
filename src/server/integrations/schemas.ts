import { z } from 'zod';
import { refreshQueryFlag } from '../http/refresh-query';

/** message_enum_status of Twilio's OpenAPI (tools/twilio-fake/spec). */
export const twilioMessageStatuses = [
  'queued',
  'sending',
  'sent',
  'failed',
  'delivered',
  'undelivered',
  'receiving',
  'received',
  'accepted',
  'scheduled',
  'read',
  'partially_delivered',
  'canceled',
] as const;

/**
 * The fields of Twilio's status callback Proofgate reads. Twilio sends more (To, From, ...);
 * they are part of the signature but dropped here, so the destination never travels further.
 */
export const twilioStatusCallbackBody = z.object({
  MessageSid: z.string().regex(/^(SM|MM)[0-9a-fA-F]{32}$/, { error: 'must be a Message SID' }),
  MessageStatus: z.enum(twilioMessageStatuses, { error: 'must be a Twilio message status' }),
  ErrorCode: z
    .string()
    .regex(/^\d{1,6}$/)
    .optional(),
});

export const integrationsStatusQuery = z.strictObject({
  refresh: refreshQueryFlag('1: run the credential check now instead of using the cached result'),
});

export const integrationStatusView = z.object({
  name: z.string(),
  configured: z.boolean().describe('Every required setting is present and well-formed'),
  connected: z.boolean().describe('The last credential check (cached for INTEGRATION_CHECK_INTERVAL_SECONDS) succeeded'),
  last_checked_at: z.string().nullable(),
  last_used_at: z.string().nullable().describe('Newest successful usage event'),
  proof_of_use_count_24h: z.number().int().describe('Successful usage events in the last 24 hours'),
  last_error_code: z.string().nullable().describe("The failing credential check's error code, else the newest send's; null once a send succeeds"),
});

export const integrationsStatusView = z.object({ integrations: z.array(integrationStatusView) });

export const twilioSendsQuery = z.strictObject({
  limit: z
    .string()
    .regex(/^(?:[1-9]|[1-4][0-9]|50)$/, { error: 'must be a whole number from 1 to 50' })
    .optional()
    .describe('How many sends, newest first (default 10, at most 50)'),
});

export const twilioSendView = z.object({
  trace_id: z.string(),
  created_at: z.string(),
  masked_destination: z.string().nullable().describe('The number with all but the country code and last digits masked'),
  status: z.enum(['success', 'failed', 'not_configured']).describe('What the send request itself did'),
  provider_error_code: z.string().nullable().describe("Twilio's error code: of the refused request, or of a later undelivered report"),
  delivery_status: z.string().nullable().describe("Twilio's latest delivery report (status callback); null until one arrives"),
  delivery_updated_at: z.string().nullable(),
});

export const twilioSendsView = z.object({ sends: z.array(twilioSendView) });
