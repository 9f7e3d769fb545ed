import twilio from 'twilio';
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
  if (error instanceof twilio.RestException || typeof e.status === 'number') {
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

/** SmsProvider over the official SDK; `httpClient` decides where requests go (Twilio or the fake). */
export function createTwilioSmsProvider(settings: TwilioSettings, httpClient: twilio.RequestClient): SmsProvider {
  const client = twilio(settings.auth.username, settings.auth.password, { accountSid: settings.accountSid, httpClient });
  const sender = {
    ...(settings.messagingServiceSid ? { messagingServiceSid: settings.messagingServiceSid } : {}),
    ...(settings.fromNumber ? { from: settings.fromNumber } : {}),
  };
  return {
    integration: 'twilio',
    async sendSms(input: SendSmsInput): Promise<SmsSendResult> {
      try {
        const message = await client.messages.create({
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
        await client.api.v2010.accounts(settings.accountSid).fetch();
        return { ok: true };
      } catch (error) {
        return { ok: false, failure: classifyTwilioError(error) };
      }
    },
  };
}
