import { startSmtpFake } from './server';

/**
 * npm run smtp:fake — a local SMTP server (SMTP_PORT, default 2525) whose mailbox is shown on
 * a web page (WEB_PORT, default 4025). Without SMTP_FAKE_USER and SMTP_FAKE_PASSWORD it accepts
 * mail without AUTH.
 */
function port(name: string, fallback: number): number {
  const value = process.env[name] ? Number(process.env[name]) : fallback;
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    console.error(`${name} must be a whole number between 0 and 65535`);
    process.exit(1);
  }
  return value;
}

async function main(): Promise<void> {
  const user = process.env.SMTP_FAKE_USER || undefined;
  const password = process.env.SMTP_FAKE_PASSWORD || undefined;
  const fake = await startSmtpFake({
    host: process.env.HOST || '127.0.0.1',
    smtpPort: port('SMTP_PORT', 2525),
    webPort: port('WEB_PORT', 4025),
    ...(user && password ? { user, password } : {}),
  });
  const shownUrl = user && password ? fake.smtpUrl.replace(/:[^:@/]*@/, ':…@') : fake.smtpUrl;
  console.log(`SMTP fake listening: ${shownUrl}`);
  console.log(`  mailbox: ${fake.webUrl}/   JSON: GET/DELETE ${fake.webUrl}/messages`);
  console.log('Point Proofgate at it:');
  console.log(`  SMTP_URL=${shownUrl} MAIL_FROM="Proofgate <no-reply@proofgate.test>" PUBLIC_URL=http://localhost:3000 npm start`);
  const stop = () => {
    fake.close().finally(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  const e = error as { code?: string; message?: string };
  console.error(`SMTP fake failed to start: ${e.code ?? ''} ${e.message ?? String(error)}`);
  process.exit(1);
});
