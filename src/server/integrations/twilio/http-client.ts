import type twilio from 'twilio';
import { loadTwilioSdk, type TwilioSdk } from './sdk';

export const TWILIO_API_ORIGIN = 'https://api.twilio.com';

/** Twilio's own client: 429 answers are retried with exponential backoff and full jitter, at most this often. */
const MAX_RETRIES_ON_429 = 3;
const MAX_RETRY_DELAY_MS = 3_000;

type RequestOptions = Parameters<twilio.RequestClient['request']>[0];

/**
 * The SDK's RequestClient with the https://api.twilio.com base swapped for another one: the
 * custom `httpClient` pattern Twilio's maintainers recommend for pointing the SDK at a mock
 * (twilio/twilio-node#326, RequestClient exported for it in #668). Everything else (auth
 * header, form encoding, timeout, 429 retries, error parsing) stays the SDK's. Declared once
 * the SDK is loaded, since it extends the SDK's class.
 */
function baseUrlRequestClient(sdk: TwilioSdk, baseUrl: string, options: ConstructorParameters<typeof twilio.RequestClient>[0]) {
  class BaseUrlRequestClient extends sdk.RequestClient {
    override request<TData>(request: RequestOptions & { data?: TData }) {
      const uri = request.uri.startsWith(TWILIO_API_ORIGIN) ? `${baseUrl}${request.uri.slice(TWILIO_API_ORIGIN.length)}` : request.uri;
      return super.request<TData>({ ...request, uri });
    }
  }
  return new BaseUrlRequestClient(options);
}

/**
 * The HTTP client every Twilio call goes through. The timeout is explicit (the SDK's default
 * is 30 s, too long for an admin waiting on a test SMS); `apiBaseUrl` is set only for the
 * fake, and config validation refuses it in production.
 */
export async function createTwilioHttpClient(options: { timeoutMs: number; apiBaseUrl: string | undefined }): Promise<twilio.RequestClient> {
  const sdk = await loadTwilioSdk();
  const clientOptions = {
    timeout: options.timeoutMs,
    autoRetry: true,
    maxRetries: MAX_RETRIES_ON_429,
    maxRetryDelay: MAX_RETRY_DELAY_MS,
  };
  if (!options.apiBaseUrl) return new sdk.RequestClient(clientOptions);
  return baseUrlRequestClient(sdk, options.apiBaseUrl, clientOptions);
}
