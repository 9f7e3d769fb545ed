import { portFromEnv, runFakeUntilSignalled } from '../common/fake-command';
import { startTwilioFake, type TwilioFake } from './server';

/**
 * npm run twilio:fake — a Twilio-compatible fake on PORT (default 4010). It accepts the same
 * TWILIO_* variables as Proofgate, so one environment drives both; without them it uses
 * published test values (they are not secrets: the fake guards nothing) and prints them.
 */
const DEFAULT_ACCOUNT_SID = `AC${'f4ce'.padEnd(32, '0')}`;
const DEFAULT_AUTH_TOKEN = 'fake-auth-token-for-local-testing';

async function main(): Promise<TwilioFake> {
  const env = process.env;
  const port = portFromEnv('PORT', 4010);
  const accountSid = env.TWILIO_ACCOUNT_SID || DEFAULT_ACCOUNT_SID;
  const authToken = env.TWILIO_AUTH_TOKEN || DEFAULT_AUTH_TOKEN;
  const apiKeys = env.TWILIO_API_KEY_SID && env.TWILIO_API_KEY_SECRET ? [{ sid: env.TWILIO_API_KEY_SID, secret: env.TWILIO_API_KEY_SECRET }] : [];
  const fake = await startTwilioFake({
    port,
    host: env.HOST || '127.0.0.1',
    accountSid,
    authToken,
    apiKeys,
    fromNumbers: env.TWILIO_FROM_NUMBER ? [env.TWILIO_FROM_NUMBER] : [],
  });

  console.log(`Twilio fake listening on ${fake.url}`);
  console.log(`  account SID: ${accountSid}`);
  // Never echo a token that came from the environment: it may be a real one.
  console.log(`  auth token:  ${env.TWILIO_AUTH_TOKEN ? '(from TWILIO_AUTH_TOKEN)' : authToken}`);
  if (apiKeys.length > 0) console.log(`  API key:     ${apiKeys[0]!.sid} (secret from TWILIO_API_KEY_SECRET)`);
  console.log('Point Proofgate at it (never in production):');
  console.log(`  TWILIO_API_BASE_URL=${fake.url} TWILIO_ACCOUNT_SID=${accountSid} TWILIO_AUTH_TOKEN=… TWILIO_FROM_NUMBER=+15005550006 npm start`);
  console.log(`Test controls: GET/DELETE ${fake.url}/__fake/messages, POST/DELETE ${fake.url}/__fake/faults, POST ${fake.url}/__fake/messages/{sid}/deliver`);
  return fake;
}

runFakeUntilSignalled('Twilio fake', main);
