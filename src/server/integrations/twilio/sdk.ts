import type Twilio from 'twilio';

export type TwilioSdk = typeof Twilio;

let loading: Promise<TwilioSdk> | undefined;

/**
 * The Twilio SDK (with axios and its other dependencies, several MB of memory) is loaded on the
 * first call that needs it — a send, a credential check, a signed callback — so a server
 * without Twilio keys never carries it (docs/performance.md, memory).
 */
export function loadTwilioSdk(): Promise<TwilioSdk> {
  loading ??= import('twilio').then((module) => module.default);
  return loading;
}
