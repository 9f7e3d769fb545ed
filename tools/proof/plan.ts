import { resolveSmsAllowedCountries, type TwilioConfig } from '../../src/server/config';
import { resolveTwilioSettings } from '../../src/server/integrations/twilio/settings';
import { checkSmsDestination, describeSmsDestinationRefusal, isCountryCode, isE164 } from '../../src/common/phone';

/**
 * What this run will use, decided from the environment before anything starts: the embedded
 * database or a fresh database on DATABASE_URL's server, Redis or not, and the Twilio fake
 * unless real Twilio credentials are present. Pure, so the decision is testable.
 */
export const TWILIO_VARIABLES = [
  'TWILIO_ACCOUNT_SID',
  'TWILIO_AUTH_TOKEN',
  'TWILIO_API_KEY_SID',
  'TWILIO_API_KEY_SECRET',
  'TWILIO_FROM_NUMBER',
  'TWILIO_MESSAGING_SERVICE_SID',
  'TWILIO_API_BASE_URL',
  'TWILIO_TIMEOUT_MS',
  // Not a TWILIO_ name, but it decides where the real test SMS may go, so it travels with them.
  'SMS_ALLOWED_COUNTRIES',
] as const;

export type TwilioPlan =
  | { kind: 'fake' }
  | { kind: 'real'; env: Record<string, string>; destination: string | undefined; baseUrl: string | undefined }
  | { kind: 'incomplete'; env: Record<string, string>; problems: string[] };

export interface RunPlan {
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  twilio: TwilioPlan;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value && value.trim() !== '' ? value.trim() : undefined;
}

export function planRun(env: Record<string, string | undefined>): RunPlan {
  const twilioEnv: Record<string, string> = {};
  for (const name of TWILIO_VARIABLES) {
    const value = nonEmpty(env[name]);
    if (value !== undefined) twilioEnv[name] = value;
  }
  const credentialNames = ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_API_KEY_SID', 'TWILIO_API_KEY_SECRET'];
  let twilio: TwilioPlan = { kind: 'fake' };
  if (credentialNames.some((name) => twilioEnv[name] !== undefined)) {
    const config: TwilioConfig = {
      accountSid: twilioEnv.TWILIO_ACCOUNT_SID,
      authToken: twilioEnv.TWILIO_AUTH_TOKEN,
      apiKeySid: twilioEnv.TWILIO_API_KEY_SID,
      apiKeySecret: twilioEnv.TWILIO_API_KEY_SECRET,
      fromNumber: twilioEnv.TWILIO_FROM_NUMBER,
      messagingServiceSid: twilioEnv.TWILIO_MESSAGING_SERVICE_SID,
      apiBaseUrl: twilioEnv.TWILIO_API_BASE_URL,
      timeoutMs: 10_000,
    };
    const resolved = resolveTwilioSettings(config);
    const destination = nonEmpty(env.PROOF_SMS_TO);
    const problems = [...resolved.problems];
    if (destination !== undefined) problems.push(...destinationProblems(destination, twilioEnv.SMS_ALLOWED_COUNTRIES, config.fromNumber));
    twilio = resolved.configured && problems.length === 0
      ? { kind: 'real', env: twilioEnv, destination, baseUrl: twilioEnv.TWILIO_API_BASE_URL }
      : { kind: 'incomplete', env: twilioEnv, problems };
  }
  return { databaseUrl: nonEmpty(env.DATABASE_URL), redisUrl: nonEmpty(env.REDIS_URL), twilio };
}

/** PROOF_SMS_TO judged by the server's own rule before anything starts, so a refused number is named up front. */
function destinationProblems(destination: string, allowedCountriesText: string | undefined, fromNumber: string | undefined): string[] {
  if (!isE164(destination)) return ['PROOF_SMS_TO must be an E.164 number such as +14155550100'];
  const codes = (allowedCountriesText ?? '').split(',').map((code) => code.trim().toUpperCase()).filter(Boolean);
  if (!codes.every(isCountryCode)) return ['SMS_ALLOWED_COUNTRIES must be a comma-separated list of ISO 3166-1 alpha-2 country codes such as US,CA'];
  const { allowedCountries } = resolveSmsAllowedCountries(codes, fromNumber);
  const check = checkSmsDestination(destination, allowedCountries);
  return check.allowed ? [] : [`PROOF_SMS_TO is refused by the SMS geo permissions: ${describeSmsDestinationRefusal(check, allowedCountries)}`];
}
