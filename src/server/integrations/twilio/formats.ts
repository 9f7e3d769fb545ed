import { E164_EXAMPLE, isE164 } from '../../../common/phone';

/**
 * The shape of each TWILIO_* setting, in one place: config.ts refuses a malformed value at
 * start (naming the variable), and settings.ts applies the same rules to a Config built by
 * hand (an embedder, the proof's plan), so the two can never disagree about what is valid.
 * SID shapes come from Twilio's OpenAPI (AccountSid ^AC…, API key ^SK…, Messaging Service ^MG…).
 * Messages never contain the value: tokens and secrets are among these settings.
 */
export interface TwilioFormat {
  test(value: string): boolean;
  /** Completes "<VARIABLE> …". */
  message: string;
}

const sid = (prefix: string, what: string): TwilioFormat => {
  const pattern = new RegExp(`^${prefix}[0-9a-fA-F]{32}$`);
  return { test: (value) => pattern.test(value), message: `must be ${prefix} followed by 32 hexadecimal characters (the ${what} in the Twilio console)` };
};

const noWhitespace: TwilioFormat = { test: (value) => /^\S+$/.test(value), message: 'must not contain spaces' };

export const TWILIO_FORMATS = {
  TWILIO_ACCOUNT_SID: sid('AC', 'Account SID'),
  TWILIO_AUTH_TOKEN: noWhitespace,
  TWILIO_API_KEY_SID: sid('SK', 'API key SID'),
  TWILIO_API_KEY_SECRET: noWhitespace,
  TWILIO_FROM_NUMBER: { test: isE164, message: `must be an E.164 number such as ${E164_EXAMPLE}` },
  TWILIO_MESSAGING_SERVICE_SID: sid('MG', 'Messaging Service SID'),
} satisfies Record<string, TwilioFormat>;

export type TwilioVariable = keyof typeof TWILIO_FORMATS;

/** "<VARIABLE> must …" when `value` is set and malformed; undefined when unset or well-formed. */
export function twilioFormatProblem(variable: TwilioVariable, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const format = TWILIO_FORMATS[variable];
  return format.test(value) ? undefined : `${variable} ${format.message}`;
}
