/**
 * Twilio's error answers, as the real API sends them: JSON `{code, message, more_info, status}`
 * with the HTTP status. The codes and wording follow https://www.twilio.com/docs/api/errors.
 */
export interface TwilioErrorBody {
  code: number;
  message: string;
  more_info: string;
  status: number;
}

export function twilioError(status: number, code: number, message: string): TwilioErrorBody {
  return { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status };
}

export const errors = {
  authenticate: () => twilioError(401, 20003, 'Authenticate'),
  notFound: (path: string) => twilioError(404, 20404, `The requested resource ${path} was not found`),
  tooManyRequests: () => twilioError(429, 20429, 'Too Many Requests'),
  internal: () => twilioError(500, 20500, 'Internal Server Error'),
  serviceUnavailable: () => twilioError(503, 20503, 'Service Unavailable'),
  // The messages deliberately do not quote the submitted numbers: callers log them.
  toRequired: () => twilioError(400, 21604, "A 'To' phone number is required."),
  senderRequired: () => twilioError(400, 21603, "A 'From' or 'MessagingServiceSid' parameter is required to send a message."),
  bodyRequired: () => twilioError(400, 21602, 'Message body is required.'),
  bodyTooLong: () => twilioError(400, 21617, 'The concatenated message body exceeds the 1600 character limit.'),
  invalidTo: () => twilioError(400, 21211, "The 'To' number is not a valid phone number."),
  fromNotOwned: () =>
    twilioError(400, 21606, "The 'From' phone number provided is not a valid message-capable Twilio phone number for this destination/account."),
  invalidMessagingService: () => twilioError(400, 21701, 'The Messaging Service Sid is invalid.'),
  invalidStatusCallback: () => twilioError(400, 21609, 'The StatusCallback URL is not a valid URL.'),
} as const;

/**
 * The magic "To" numbers Twilio documents for its test credentials, so failure paths are
 * deterministic: https://www.twilio.com/docs/iam/test-credentials.
 */
export const MAGIC_TO_NUMBERS: Readonly<Record<string, TwilioErrorBody>> = {
  '+15005550001': twilioError(400, 21211, "The 'To' number is not a valid phone number."),
  '+15005550002': twilioError(400, 21612, "The 'To' phone number is not currently reachable via SMS."),
  '+15005550003': twilioError(400, 21408, 'Permission to send an SMS has not been enabled for the region indicated by the \'To\' number.'),
  '+15005550004': twilioError(400, 21610, "Attempt to send to unsubscribed recipient: the 'To' number has replied STOP."),
  '+15005550009': twilioError(400, 21614, "The 'To' number is not a valid mobile number."),
};

/** The one "From" number Twilio's test credentials accept: https://www.twilio.com/docs/iam/test-credentials. */
export const MAGIC_FROM_NUMBER = '+15005550006';
