import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { deleteRedisKeys } from '../common/redis-keys';
import { GENERATED_KEY_FILE } from '../../src/server/lib/encryption-keys';
import { startSmtpFake, type SmtpFake } from '../smtp-fake';
import { startTwilioFake, type TwilioFake } from '../twilio-fake';
import { collectScreenshots, runCommand } from './commands';
import { CURL_PATH } from './curl';
import type { CommandRun } from './evidence';
import { step, type FlowContext, type ProofUser } from './flows/context';
import { captureMailbox, runPasswordReset } from './flows/mail';
import { runBareStatus, runFinalStatus, runSmsAndUsage } from './flows/operations';
import { runSessionsListAndRevoke } from './flows/sessions';
import { enrolAdminSecondFactor, runAdminGrant, runPasswordChangeRace } from './flows/trust';
import { runPasskeys } from './flows/passkeys';
import { enrolLockoutUser, runLockout, runTempTokenExpiry } from './flows/throttling';
import { readStoredSecrets, readStoredTokens, runTwoFactorDisable, runTwoFactorEnrolment, runTwoFactorSignIn } from './flows/two-factor';
import { collectGitChanges, type GitChanges } from './git-changes';
import { planRun, type RunPlan } from './plan';
import { Recorder } from './recorder';
import { maskUrlCredentials, SecretRegistry } from './redact';
import { emptyEvidence, type ProofEvidence } from './run-evidence';
import { prepareDatabase, startProofServer, type LogLine, type ProofDatabase, type ProofServer } from './servers';
import type { ProofReport } from './report/model';

/**
 * One proof run: servers up, flows recorded, guard and browser tests run, everything cleaned
 * up. Returns the evidence and what the report needs; judging and writing happen in main.ts.
 */
export interface RunOptions {
  repoRoot: string;
  browser: boolean;
  env: Record<string, string | undefined>;
  command: string;
}

export interface RunOutcome {
  evidence: ProofEvidence;
  recorder: Recorder;
  secrets: SecretRegistry;
  logLines: LogLine[];
  git: GitChanges;
  reportRun: ProofReport['run'];
  screenshotsCopied: string[];
  tempRootRemoved: boolean;
}

/** TWO_FACTOR_TEMP_TOKEN_TTL's documented minimum: the shortest real-time wait that still exercises expiry. */
export const SHORT_TEMP_TOKEN_TTL_SECONDS = 5;
// A number the SMS geo permissions accept with the fake's US sender: valid (libphonenumber) and in the US. 555-0100…0199 are fictional.
const FAKE_SMS_DESTINATION = '+14155550100';
/** The base of reset links on servers B and C (the proof reads the token from the mail and posts it with curl). */
const PROOF_PUBLIC_URL = 'http://proofgate.proof.test';

function user(label: string, jar: string, runId: string): ProofUser {
  return {
    label,
    email: `proof-${jar}-${runId}@example.test`,
    // Random per run, so the redaction scan looks for a value nobody could have written down beforehand.
    password: `proof-${randomBytes(18).toString('base64url')}`,
    jar,
  };
}

function curlVersion(): string {
  const result = spawnSync(CURL_PATH, ['--version'], { encoding: 'utf8' });
  return result.status === 0 ? (result.stdout.split('\n')[0] ?? 'curl').split(' ').slice(0, 2).join(' ') : `curl not runnable at ${CURL_PATH}`;
}

export async function runProof(options: RunOptions, reportDir: string, startedAtMs: number): Promise<RunOutcome> {
  const plan: RunPlan = planRun(options.env);
  const runId = `${new Date(startedAtMs).toISOString().replace(/[-:TZ.]/g, '').slice(0, 14)}_${randomBytes(2).toString('hex')}`;
  const tempRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'proofgate-proof-'));
  const dataDir = path.join(tempRoot, 'data');
  const jarsDir = path.join(tempRoot, 'jars');
  fs.mkdirSync(jarsDir, { mode: 0o700 });

  const secrets = new SecretRegistry();
  const recorder = new Recorder(secrets, jarsDir);
  const logLines: LogLine[] = [];
  const evidence = emptyEvidence(startedAtMs, SHORT_TEMP_TOKEN_TTL_SECONDS, 10);
  const ctx: FlowContext = { recorder, evidence, notes: [] };
  const servers: ProofServer[] = [];
  const serverInfo: ProofReport['run']['servers'] = [];

  // The browser tests run beside the flows: the flows spend most of their time waiting for TOTP steps.
  const browserRun: Promise<CommandRun> | undefined = options.browser
    ? runCommand('npx', ['vitest', 'run', '--project', 'browser'], options.repoRoot)
    : undefined;
  evidence.browser.skipped = !options.browser;

  const ada = user('Ada (the B2 user)', 'b2-ada', runId);
  const mallory = user('the lockout user', 'b3-lockout', runId);
  const admin = user('the admin', 'admin', runId);
  const raceOwner = user('the race owner', 'race-owner', runId);
  const grace = user('Grace (the passkey user)', 'pk-grace', runId);
  const sessionsUser = user('the sessions user', 'sessions', runId);
  const raceNewPassword = `proof-new-${randomBytes(18).toString('base64url')}`;
  const resetUser = user('the reset user', 'mail-reset', runId);
  const resetNewPassword = `proof-reset-${randomBytes(18).toString('base64url')}`;
  for (const u of [ada, mallory, admin, raceOwner, grace, sessionsUser, resetUser]) secrets.add('password', `password of ${u.label}`, u.password);
  secrets.add('password', 'new password of the race owner', raceNewPassword);

  const appEncKey = randomBytes(32).toString('base64');
  secrets.add('encryption_key', 'APP_ENC_KEY generated for this run', appEncKey);

  let database: ProofDatabase | undefined;
  let fake: TwilioFake | undefined;
  let smtpFake: SmtpFake | undefined;
  const redisPrefix = `proof-${runId}`.replace(/_/g, '-');
  let limiterStore = 'memory (embedded database, one process; each server has its own counters)';
  let twilioDescription = '';
  const notes: string[] = [];

  try {
    await step(ctx, 'setup', 'prepare the database', async () => {
      if (plan.databaseUrl) secrets.add('url_credential', 'DATABASE_URL password', new URL(plan.databaseUrl).password || undefined);
      database = await prepareDatabase({ databaseUrl: plan.databaseUrl, dataDir, databaseName: `proofgate_proof_${runId}` });
    });
    if (plan.redisUrl) {
      secrets.add('url_credential', 'REDIS_URL password', new URL(plan.redisUrl).password || undefined);
      limiterStore = `Redis at ${maskUrlCredentials(plan.redisUrl)} with REDIS_KEY_PREFIX=${redisPrefix} (unique to this run; its keys are deleted afterwards)`;
    } else if (plan.databaseUrl) limiterStore = 'PostgreSQL (the rate_limits table of this run\'s database, shared by its servers)';

    // Twilio: the project's fake unless real keys are in the environment.
    let twilioEnv: Record<string, string> = {};
    let destination: string | undefined;
    if (plan.twilio.kind === 'fake') {
      const accountSid = `AC${randomBytes(16).toString('hex')}`;
      const authToken = `proof-fake-${randomBytes(18).toString('base64url')}`;
      secrets.add('twilio_credential', 'Twilio fake account SID', accountSid);
      secrets.add('twilio_credential', 'Twilio fake auth token', authToken);
      await step(ctx, 'setup', 'start the Twilio fake', async () => {
        fake = await startTwilioFake({ accountSid, authToken });
      });
      if (fake) {
        twilioEnv = { TWILIO_ACCOUNT_SID: accountSid, TWILIO_AUTH_TOKEN: authToken, TWILIO_FROM_NUMBER: '+15005550006', TWILIO_API_BASE_URL: fake.url };
      }
      destination = FAKE_SMS_DESTINATION;
      evidence.testSms.mode = 'fake';
      twilioDescription = `the project's Twilio fake (tools/twilio-fake), started in-process at ${fake?.url ?? '(failed to start)'} with credentials made up for this run; no real Twilio keys were in the environment. The server reaches it through the same twilio SDK code path as real keys (TWILIO_API_BASE_URL). Test destination ${FAKE_SMS_DESTINATION} (fictional).`;
    } else if (plan.twilio.kind === 'real') {
      twilioEnv = plan.twilio.env;
      for (const name of ['TWILIO_AUTH_TOKEN', 'TWILIO_API_KEY_SECRET', 'TWILIO_ACCOUNT_SID', 'TWILIO_API_KEY_SID'] as const) {
        secrets.add('twilio_credential', name, twilioEnv[name]);
      }
      destination = plan.twilio.destination;
      secrets.add('phone_number', 'PROOF_SMS_TO', destination);
      evidence.testSms.mode = destination ? 'real' : 'no-destination';
      twilioDescription = `REAL Twilio credentials from the environment (${plan.twilio.baseUrl ? `API at TWILIO_API_BASE_URL=${plan.twilio.baseUrl}` : 'api.twilio.com'}); ${destination ? 'the test SMS goes to PROOF_SMS_TO (masked here)' : 'PROOF_SMS_TO is not set, so B4 cannot send and FAILS rather than faking it'}.`;
    } else {
      twilioEnv = plan.twilio.env;
      for (const name of ['TWILIO_AUTH_TOKEN', 'TWILIO_API_KEY_SECRET'] as const) secrets.add('twilio_credential', name, twilioEnv[name]);
      evidence.testSms.mode = 'incomplete';
      evidence.testSms.problems = plan.twilio.problems;
      twilioDescription = `TWILIO_* variables are set but incomplete (${plan.twilio.problems.join('; ')}): the proof does not fall back to the fake when real keys were intended; B4 FAILS.`;
    }

    // Email: the project's SMTP fake, reached by nodemailer over SMTP with credentials made up for this run.
    const smtpUser = `proof-${randomBytes(4).toString('hex')}`;
    const smtpPassword = `proof-smtp-${randomBytes(18).toString('base64url')}`;
    secrets.add('smtp_credential', 'SMTP fake password', smtpPassword);
    await step(ctx, 'setup', 'start the SMTP fake', async () => {
      smtpFake = await startSmtpFake({ user: smtpUser, password: smtpPassword });
    });
    const smtpEnv: Record<string, string> = smtpFake
      ? { SMTP_URL: smtpFake.smtpUrl, MAIL_FROM: 'Proofgate proof <no-reply@proofgate.proof.test>', PUBLIC_URL: PROOF_PUBLIC_URL }
      : {};
    evidence.mail.publicUrl = PROOF_PUBLIC_URL;

    const baseEnv: Record<string, string> = {
      HOST: '127.0.0.1',
      PORT: '0',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
      SERVE_WEB: 'false',
      ...(database?.env ?? {}),
      ...(plan.redisUrl ? { REDIS_URL: plan.redisUrl, REDIS_KEY_PREFIX: redisPrefix } : {}),
    };
    const start = async (name: string, role: string, env: Record<string, string>) => {
      const server = await startProofServer(name, env, { pglite: database?.pglite, logLines });
      servers.push(server);
      serverInfo.push({ name, role, url: server.url, env });
      return server;
    };

    if (database) {
      // Server A: no Twilio keys, no APP_ENC_KEY — the blockers must show.
      let serverA: ProofServer | undefined;
      await step(ctx, 'setup', 'start server A', async () => {
        serverA = await start('A', 'no Twilio keys, no APP_ENC_KEY: blockers present', baseEnv);
      });
      if (serverA) {
        const a = serverA;
        const granted = await step(ctx, 'ADMIN', 'self-registration, then the CLI grant', () => runAdminGrant(ctx, a, admin));
        if (granted) await step(ctx, 'controlPlane', 'status without keys', () => runBareStatus(ctx, a, admin));
        await a.close();
        servers.splice(servers.indexOf(a), 1);
        const generated = path.join(dataDir, GENERATED_KEY_FILE);
        if (fs.existsSync(generated)) secrets.add('encryption_key', 'development key server A generated into DATA_DIR', fs.readFileSync(generated, 'utf8').trim());
      }

      // Server B: keys present. Server C: the same, over the same database, with the shortest temp-token TTL.
      const envB = { ...baseEnv, APP_ENC_KEY: appEncKey, ...twilioEnv, ...smtpEnv };
      let serverB: ProofServer | undefined;
      let serverC: ProofServer | undefined;
      await step(ctx, 'setup', 'start servers B and C', async () => {
        serverB = await start('B', 'Twilio keys and APP_ENC_KEY set: the main flows', envB);
        serverC = await start('C', `as B, plus TWO_FACTOR_TEMP_TOKEN_TTL=${SHORT_TEMP_TOKEN_TTL_SECONDS}: temp-token expiry only`, {
          ...envB,
          TWO_FACTOR_TEMP_TOKEN_TTL: String(SHORT_TEMP_TOKEN_TTL_SECONDS),
        });
      });
      if (serverB && serverC) {
        const b = serverB;
        const c = serverC;
        const limits = b.proofgate.config.limits;
        evidence.secondFactorThrottling.maxFailures = limits.twoFactorUserMaxFailures;
        evidence.secondFactorThrottling.ttlSeconds = c.proofgate.config.twoFactor.tempTokenTtlSeconds;

        // The order saves real time: work happens while the next TOTP step comes round.
        const enrolled = await step(ctx, 'twoFactorJourney', 'enrol Ada', () => runTwoFactorEnrolment(ctx, b, ada));
        if (enrolled) await step(ctx, 'secretsAtRest', 'read stored secrets', () => readStoredSecrets(ctx, b, ada));
        await step(ctx, 'secondFactorThrottling', 'enrol the lockout user', () => enrolLockoutUser(ctx, b, mallory));
        if (enrolled) await step(ctx, 'secondFactorThrottling', 'temp-token expiry', () => runTempTokenExpiry(ctx, c, ada));
        await step(ctx, 'testSms', 'test SMS', () => runSmsAndUsage(ctx, b, admin, { destination, fake }));
        const signedIn = enrolled && (await step(ctx, 'twoFactorJourney', 'sign in with 2FA', () => runTwoFactorSignIn(ctx, b, ada)));
        await step(ctx, 'secondFactorThrottling', 'lockout', () => runLockout(ctx, b, mallory, limits.tempTokenMaxFailures));
        if (signedIn) {
          await step(ctx, 'secretsAtRest', 'read stored tokens', () => readStoredTokens(ctx, b));
          await step(ctx, 'twoFactorJourney', 'disable 2FA', () => runTwoFactorDisable(ctx, b, ada));
        }
        await step(ctx, 'PASSKEYS', 'add a passkey, sign in with it twice, refuse another origin', () => runPasskeys(ctx, b, grace));
        await step(ctx, 'RACE', 'password change vs logins in flight', () => runPasswordChangeRace(ctx, b, raceOwner, raceNewPassword));
        await step(ctx, 'SESSIONS', 'list and revoke sessions', () => runSessionsListAndRevoke(ctx, b, sessionsUser));
        const mailbox = smtpFake;
        if (mailbox) {
          await step(ctx, 'MAIL', 'password reset by email', () =>
            runPasswordReset(ctx, b, resetUser, resetNewPassword, { fake: mailbox, unknownEmail: `proof-nobody-${runId}@example.test`, outboxServers: [b, c] }),
          );
        }
        const adminEnrolled = await step(ctx, 'controlPlane', 'the admin enrols 2FA', () => enrolAdminSecondFactor(ctx, b, admin));
        if (adminEnrolled) await step(ctx, 'controlPlane', 'status with keys', () => runFinalStatus(ctx, b, admin));
        if (mailbox) {
          evidence.mail.expectedNotices = [
            { email: ada.email, subject: 'Two-factor authentication was turned on', why: `${ada.label} turned 2FA on` },
            { email: ada.email, subject: 'Two-factor authentication was turned off', why: `${ada.label} turned 2FA off` },
            { email: mallory.email, subject: 'Sign-in to your account is temporarily locked', why: `${mallory.label} was locked out` },
            { email: raceOwner.email, subject: 'Your password was changed', why: `${raceOwner.label} changed the password` },
            { email: resetUser.email, subject: 'Your password was reset', why: `${resetUser.label} reset the password` },
            { email: admin.email, subject: 'Two-factor authentication was turned on', why: `${admin.label} turned 2FA on` },
          ];
          await step(ctx, 'MAIL', 'capture the mailbox', () => captureMailbox(ctx, [b, c], mailbox));
        }
        notes.push(
          `Servers A, B and C share one database (the run's): A ran first and was stopped; B and C ran together. Temp-token expiry was shown on C (TWO_FACTOR_TEMP_TOKEN_TTL=${evidence.secondFactorThrottling.ttlSeconds}, the documented minimum) by waiting in real time; no clock was injected and no server has a test-only switch.`,
          `Throttling used the defaults: TWO_FACTOR_TEMP_TOKEN_MAX_FAILURES=${limits.tempTokenMaxFailures}, TWO_FACTOR_USER_MAX_FAILURES=${limits.twoFactorUserMaxFailures}, TWO_FACTOR_USER_LOCK_SECONDS=${limits.twoFactorUserLockSeconds}.`,
        );
      }
    }
    notes.push(...ctx.notes);
  } finally {
    for (const server of servers.reverse()) await server.close().catch(() => undefined);
    await fake?.close().catch(() => undefined);
    await smtpFake?.close().catch(() => undefined);
    await database?.close().catch(() => undefined);
  }

  if (plan.redisUrl) {
    await step(ctx, 'setup', 'delete this run\'s Redis keys', async () => {
      const deleted = await deleteRedisKeys(plan.redisUrl!, redisPrefix);
      notes.push(`Deleted ${deleted} Redis key(s) under ${redisPrefix}:*.`);
    });
  }

  fs.rmSync(tempRoot, { recursive: true, force: true });
  const tempRootRemoved = !fs.existsSync(tempRoot);

  evidence.guard = await runCommand('npm', ['run', 'guard'], options.repoRoot);

  let screenshotsCopied: string[] = [];
  if (browserRun) {
    evidence.browser.run = await browserRun;
    const source = path.join(options.repoRoot, 'test-results', 'screenshots');
    evidence.browser.screenshots = collectScreenshots(source, path.join(reportDir, 'screenshots'), startedAtMs);
    screenshotsCopied = evidence.browser.screenshots.filter((s) => s.mtimeMs >= startedAtMs).map((s) => s.name);
  }
  evidence.serverLogLines = logLines.map((l) => l.line);

  return {
    evidence,
    recorder,
    secrets,
    logLines,
    git: collectGitChanges(options.repoRoot),
    screenshotsCopied,
    tempRootRemoved,
    reportRun: {
      startedAt: new Date(startedAtMs).toISOString(),
      finishedAt: '',
      durationMs: 0,
      command: options.command,
      nodeVersion: process.version,
      curlVersion: curlVersion(),
      database: database?.description ?? 'not prepared (see the HTTP item)',
      limiterStore,
      twilio: twilioDescription,
      servers: serverInfo,
      notes,
    },
  };
}

