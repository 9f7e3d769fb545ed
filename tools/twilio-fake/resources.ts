import { randomBytes } from 'node:crypto';

/**
 * Resource bodies shaped like Twilio's (api.v2010.account.message and api.v2010.account in
 * spec/twilio_api_v2010.messages.json): every property the schema declares is present, null
 * where Twilio would send null.
 */
export const API_VERSION = '2010-04-01';

export function newSid(prefix: 'SM' | 'AC' | 'SK' | 'MG'): string {
  return `${prefix}${randomBytes(16).toString('hex')}`;
}

/** RFC 2822 in GMT as Twilio writes it: `Thu, 24 Aug 2023 05:01:45 +0000`. */
export function rfc2822(date: Date): string {
  return date.toUTCString().replace(/GMT$/, '+0000');
}

const GSM_7 = /^[A-Za-z0-9 \r\n@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ!"#¤%&'()*+,\-./:;<=>?¡ÄÖÑÜ§¿äöñüà^{}\\[~\]|€]*$/;

/** SMS segments: 160 GSM-7 characters (153 when concatenated), 70 UCS-2 (67 when concatenated). */
export function countSegments(body: string): number {
  const length = [...body].length;
  const [single, multi] = GSM_7.test(body) ? [160, 153] : [70, 67];
  return length <= single ? 1 : Math.ceil(length / multi);
}

export interface StoredMessage {
  sid: string;
  accountSid: string;
  to: string;
  from: string | null;
  messagingServiceSid: string | null;
  body: string;
  status: string;
  statusCallback: string | null;
  dateCreated: Date;
  dateUpdated: Date;
}

export function messageResource(message: StoredMessage): Record<string, unknown> {
  const uri = `/${API_VERSION}/Accounts/${message.accountSid}/Messages/${message.sid}`;
  return {
    account_sid: message.accountSid,
    api_version: API_VERSION,
    body: message.body,
    date_created: rfc2822(message.dateCreated),
    date_sent: null,
    date_updated: rfc2822(message.dateUpdated),
    direction: 'outbound-api',
    error_code: null,
    error_message: null,
    from: message.from,
    messaging_service_sid: message.messagingServiceSid,
    num_media: '0',
    num_segments: String(countSegments(message.body)),
    price: null,
    price_unit: 'USD',
    sid: message.sid,
    status: message.status,
    subresource_uris: { media: `${uri}/Media.json` },
    to: message.to,
    uri: `${uri}.json`,
  };
}

export function accountResource(accountSid: string, created: Date): Record<string, unknown> {
  const base = `/${API_VERSION}/Accounts/${accountSid}`;
  return {
    // Twilio returns the auth token here; the fake never does, so no transcript or log of a
    // credential check can ever hold one.
    auth_token: null,
    date_created: rfc2822(created),
    date_updated: rfc2822(created),
    friendly_name: 'Proofgate Twilio fake',
    owner_account_sid: accountSid,
    sid: accountSid,
    status: 'active',
    subresource_uris: { messages: `${base}/Messages.json` },
    type: 'Full',
    uri: `${base}.json`,
  };
}
