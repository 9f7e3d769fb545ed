import { z } from 'zod';

/** E.164: `+`, a non-zero leading digit, 7 to 15 digits in all (ITU-T E.164 allows at most 15). */
export const E164_PATTERN = /^\+[1-9]\d{6,14}$/;
/** Three concatenated SMS segments of 160 GSM-7 characters: a test alert never needs more. */
export const SMS_TEST_MESSAGE_MAX_CHARS = 480;

export const smsTestBody = z.strictObject({
  to: z.string().regex(E164_PATTERN, { error: 'must be an E.164 phone number such as +15005550006' }),
  message: z
    .string()
    .min(1, { error: 'must not be empty' })
    .max(SMS_TEST_MESSAGE_MAX_CHARS, { error: `must be at most ${SMS_TEST_MESSAGE_MAX_CHARS} characters` })
    .optional(),
});

export const smsTestView = z.object({
  ok: z.literal(true),
  trace_id: z.string().describe('Also stored on the integration_usage_events row and in the server log line of the send'),
  provider_message_id: z.string().describe("Twilio's Message SID (SM…)"),
  status: z.string().describe("Twilio's message status at creation, usually queued"),
});
