/**
 * What the alerts capability needs from an SMS provider, and nothing of Twilio's SDK: the
 * composition root builds the Twilio implementation (integrations/twilio) and passes it in,
 * so tests run the real SDK against the Twilio fake instead of mocking modules.
 */

/**
 * A provider call that did not succeed. `rejected`: the provider answered and refused (bad
 * number, bad credentials): retrying will not help. `unavailable`: timeout, 5xx, 429 after
 * the SDK's retries, or no connection: the message may or may not have gone out.
 * `providerErrorCode` is the provider's code (Twilio's `21211`) or, with no answer,
 * `TIMEOUT` / `CONNECTION_ERROR` / `HTTP_<status>` / `CLIENT_ERROR`.
 */
export type ProviderFailure =
  | { kind: 'rejected'; providerErrorCode: string; httpStatus: number }
  | { kind: 'unavailable'; providerErrorCode: string; httpStatus: number | null };

export type SmsSendResult = { ok: true; providerMessageId: string; status: string } | { ok: false; failure: ProviderFailure };

export type CredentialCheckResult = { ok: true } | { ok: false; failure: ProviderFailure };

export interface SendSmsInput {
  /** E.164 destination. */
  to: string;
  body: string;
  /** Where the provider reports delivery; omitted when no verifiable callback URL exists. */
  statusCallback?: string;
}

export interface SmsProvider {
  /** The integration name used in usage events and status (`twilio`). */
  readonly integration: string;
  /** Never throws: every outcome, including a bug in the client, is a result. */
  sendSms(input: SendSmsInput): Promise<SmsSendResult>;
  /** The cheapest authenticated call, proving the credentials work. Never throws. */
  checkCredentials(): Promise<CredentialCheckResult>;
}
