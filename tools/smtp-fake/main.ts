import { portFromEnv, runFakeUntilSignalled } from '../common/fake-command';
import { startSmtpFake, type SmtpFake } from './server';

/**
 * npm run smtp:fake — a local SMTP server (SMTP_PORT, default 2525) whose mailbox is shown on
 * a web page (WEB_PORT, default 4025). Without SMTP_FAKE_USER and SMTP_FAKE_PASSWORD it accepts
 * mail without AUTH.
 */
async function main(): Promise<SmtpFake> {
  const user = process.env.SMTP_FAKE_USER || undefined;
  const password = process.env.SMTP_FAKE_PASSWORD || undefined;
  const fake = await startSmtpFake({
    host: process.env.HOST || '127.0.0.1',
    smtpPort: portFromEnv('SMTP_PORT', 2525),
    webPort: portFromEnv('WEB_PORT', 4025),
    ...(user && password ? { user, password } : {}),
  });
  const shownUrl = user && password ? fake.smtpUrl.replace(/:[^:@/]*@/, ':…@') : fake.smtpUrl;
  console.log(`SMTP fake listening: ${shownUrl}`);
  console.log(`  mailbox: ${fake.webUrl}/   JSON: GET/DELETE ${fake.webUrl}/messages`);
  console.log('Point Proofgate at it:');
  console.log(`  SMTP_URL=${shownUrl} MAIL_FROM="Proofgate <no-reply@proofgate.test>" PUBLIC_URL=http://localhost:3000 npm start`);
  return fake;
}

runFakeUntilSignalled('SMTP fake', main);
