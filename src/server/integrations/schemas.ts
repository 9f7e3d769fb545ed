import { z } from 'zod';

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
