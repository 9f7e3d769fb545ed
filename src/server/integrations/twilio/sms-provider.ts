import type twilio from 'twilio';
import { createTwilioHttpClient } from './http-client';
import { loadTwilioSdk } from './sdk';
import type { CredentialCheckResult, ProviderFailure, SendSmsInput, SmsProvider, SmsSendResult } from '../sms-provider';
import type { TwilioSettings } from './settings';

const TIMEOUT_CODES = new Set(['ECONNABORTED', 'ETIMEDOUT', 'ESOCKETTIMEDOUT']);
const CONNECTION_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ERR_NETWORK', 'ERR_SOCKET_CONNECTION_TIMEOUT']);

/**
 * Sorts a thrown SDK error into rejected / unavailable by its HTTP status or socket code.
 * Deliberately ignores `error.message`: Twilio's messages quote the phone number.
 */
export function classifyTwilioError(error: unknown): ProviderFailure {
  const e = error as { status?: unknown; code?: unknown; cause?: { code?: unknown } };
  // The SDK's RestException always carries the HTTP status; checking the field, not the class,
  // keeps this usable before the SDK is loaded.
  if (typeof e.status === 'number') {
    const status = Number(e.status);
    const code = typeof e.code === 'number' || typeof e.code === 'string' ? String(e.code) : `HTTP_${status}`;
    if (status === 429 || status >= 500) return { kind: 'unavailable', providerErrorCode: code, httpStatus: status };
    return { kind: 'rejected', providerErrorCode: code, httpStatus: status };
  }
  const socketCode = typeof e.code === 'string' ? e.code : typeof e.cause?.code === 'string' ? e.cause.code : undefined;
  if (socketCode && TIMEOUT_CODES.has(socketCode)) return { kind: 'unavailable', providerErrorCode: 'TIMEOUT', httpStatus: null };
  if (socketCode && CONNECTION_CODES.has(socketCode)) return { kind: 'unavailable', providerErrorCode: 'CONNECTION_ERROR', httpStatus: null };
  return { kind: 'unavailable', providerErrorCode: 'CLIENT_ERROR', httpStatus: null };
}

/**
 * SmsProvider over the official SDK; `openHttpClient` decides where requests go (Twilio or the
 * fake). The SDK is loaded and the client made on the first send or check.
 */
export function createTwilioSmsProvider(
  settings: TwilioSettings,
  openHttpClient: () => Promise<twilio.RequestClient> = () => createTwilioHttpClient(settings),
): SmsProvider {
  let opened: Promise<twilio.Twilio> | undefined;
  const sdkClient = () =>
    (opened ??= Promise.all([loadTwilioSdk(), openHttpClient()]).then(([sdk, httpClient]) =>
      sdk(settings.auth.username, settings.auth.password, { accountSid: settings.accountSid, httpClient }),
    ));
  const sender = {
    ...(settings.messagingServiceSid ? { messagingServiceSid: settings.messagingServiceSid } : {}),
    ...(settings.fromNumber ? { from: settings.fromNumber } : {}),
  };
  return {
    integration: 'twilio',
    async sendSms(input: SendSmsInput): Promise<SmsSendResult> {
      try {
        const message = await (await sdkClient()).messages.create({
          to: input.to,
          body: input.body,
          ...sender,
          ...(input.statusCallback ? { statusCallback: input.statusCallback } : {}),
        });
        return { ok: true, providerMessageId: message.sid, status: message.status };
      } catch (error) {
        return { ok: false, failure: classifyTwilioError(error) };
      }
    },
    async checkCredentials(): Promise<CredentialCheckResult> {
      try {
        await (await sdkClient()).api.v2010.accounts(settings.accountSid).fetch();
        return { ok: true };
      } catch (error) {
        return { ok: false, failure: classifyTwilioError(error) };
      }
    },
  };
}
