import { z } from 'zod';
import { E164_EXAMPLE, E164_MAX_CHARS, isE164 } from '../../common/phone';
import { hasControlCharacters, SMS_TEST_NOTE_MAX_CHARS, SMS_TEST_NOTE_ONE_LINE } from '../../common/sms-test-text';

/**
 * The text of a test SMS is fixed by the server (composeTestSmsBody in src/common/sms-test-text.ts); the
 * admin adds at most a short note. The former free-text `message` is refused by the strict
 * object rather than silently ignored, so an old client learns that its text was not sent.
 */
export const smsTestBody = z.strictObject({
  to: z
    .string()
    .max(E164_MAX_CHARS, { error: `must be an E.164 phone number such as ${E164_EXAMPLE}`, abort: true })
    .refine(isE164, { error: `must be an E.164 phone number such as ${E164_EXAMPLE}` })
    .describe('E.164 destination; it must also pass the SMS geo permissions (SMS_ALLOWED_COUNTRIES, no premium-rate, shared-cost or non-geographic numbers)'),
  note: z
    .string()
    .trim()
    .min(1, { error: 'must not be empty' })
    .max(SMS_TEST_NOTE_MAX_CHARS, { error: `must be at most ${SMS_TEST_NOTE_MAX_CHARS} characters`, abort: true })
    .refine((note) => !hasControlCharacters(note), { error: SMS_TEST_NOTE_ONE_LINE })
    .optional()
    .describe(`Optional note appended to the fixed test text (at most ${SMS_TEST_NOTE_MAX_CHARS} characters)`),
});

export const smsTestView = z.object({
  ok: z.literal(true),
  trace_id: z.string().describe('Also stored on the integration_usage_events row and in the server log line of the send'),
  provider_message_id: z.string().describe("Twilio's Message SID (SM…)"),
  status: z.string().describe("Twilio's message status at creation, usually queued"),
});
