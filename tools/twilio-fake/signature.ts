import { createHmac } from 'node:crypto';

/**
 * X-Twilio-Signature as Twilio computes it for webhooks
 * (https://www.twilio.com/docs/usage/security#validating-requests): HMAC-SHA1 keyed with the
 * account's auth token over the full URL followed by every POST parameter, sorted by name,
 * as name + value with no separators; base64. Written here from the documentation rather
 * than taken from the SDK, so the product's use of the SDK's validator is checked against an
 * independent implementation.
 */
export function signTwilioRequest(authToken: string, url: string, params: Readonly<Record<string, string>>): string {
  const data = Object.keys(params)
    .sort()
    .reduce((acc, key) => acc + key + params[key], url);
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf8')).digest('base64');
}
