import type { MailboxMessage } from './checks/mail';
import type { CommandRun, FlowError, HttpExchange, ScreenshotFile, SqlEvidence } from './evidence';

/** Everything one run recorded, filled in by the flows and judged by items.ts. */
export interface ProofEvidence {
  startedAtMs: number;
  secretsAtRest: {
    columns?: SqlEvidence;
    credential?: SqlEvidence;
    backupCodes?: SqlEvidence;
    challenges?: SqlEvidence;
    sessions?: SqlEvidence;
    /** The base32 secret setup returned, and the codes confirm showed (raw: checks need them). */
    secret?: string;
    shownCodes: string[];
  };
  twoFactorJourney: Partial<Record<TwoFactorJourneyStep, HttpExchange>>;
  secondFactorThrottling: {
    setup: HttpExchange[];
    logins: HttpExchange[];
    wrong: HttpExchange[];
    locked?: HttpExchange;
    lastUsedStep?: SqlEvidence;
    lockedCorrect?: HttpExchange;
    correctCode?: { step: number; lastUsedStep: number | null; matchesSecret: boolean };
    maxFailures: number;
    expiryLogin?: HttpExchange;
    expiryVerify?: HttpExchange;
    waitedMs?: number;
    ttlSeconds: number;
  };
  testSms: {
    /** fake | real | incomplete settings | real keys without PROOF_SMS_TO */
    mode: 'fake' | 'real' | 'incomplete' | 'no-destination';
    problems: string[];
    adminLogin?: HttpExchange;
    send?: HttpExchange;
    usage?: SqlEvidence;
    destination?: string;
    providerReceived?: Array<{ method: string; path: string; params: Record<string, string>; status: number | 'reset' }>;
    /** A premium-rate destination, refused by the SMS geo permissions before the provider is called. */
    refused?: HttpExchange;
    refusedUsage?: SqlEvidence;
    /** With the fake: every request it received while the refused send ran (expected: none). */
    providerReceivedDuringRefusal?: Array<{ method: string; path: string }>;
  };
  controlPlane: {
    adminRegister?: HttpExchange;
    adminLoginBare?: HttpExchange;
    notConfigured?: HttpExchange;
    blockersPresent?: HttpExchange;
    before?: HttpExchange;
    after?: HttpExchange;
    blockersRemoved?: HttpExchange;
  };
  admin: {
    register?: HttpExchange;
    login?: HttpExchange;
    statusBeforeGrant?: HttpExchange;
    cliOutput?: string;
    roleAfterGrant?: SqlEvidence;
    statusAfterGrant?: HttpExchange;
  };
  race: {
    register?: HttpExchange;
    ownerLogin?: HttpExchange;
    logins: Array<{ jar: string; exchange: HttpExchange }>;
    change?: HttpExchange;
    probes: HttpExchange[];
    liveSessions?: SqlEvidence;
  };
  passkeys: {
    /** The RP ID the server must use: PUBLIC_URL's host, or localhost without one. */
    rpId?: string;
    registrationOptions?: HttpExchange;
    registrationVerify?: HttpExchange;
    list?: HttpExchange;
    columns?: SqlEvidence;
    rowAfterRegistration?: SqlEvidence;
    login?: HttpExchange;
    secondFactorOptions?: HttpExchange;
    secondFactorVerify?: HttpExchange;
    passwordlessOptions?: HttpExchange;
    passwordlessVerify?: HttpExchange;
    me?: HttpExchange;
    wrongOrigin?: HttpExchange;
    rowAfterSignIns?: SqlEvidence;
  };
  sessions: {
    register?: HttpExchange;
    login?: HttpExchange;
    laptopLogin?: HttpExchange;
    list?: HttpExchange;
    revoke?: HttpExchange;
    laptopMeAfter?: HttpExchange;
    listAfter?: HttpExchange;
  };
  mail: {
    knownEmail?: string;
    unknownEmail?: string;
    register?: HttpExchange;
    forgotKnown?: HttpExchange;
    forgotUnknown?: HttpExchange;
    reset?: HttpExchange;
    oldLogin?: HttpExchange;
    newLogin?: HttpExchange;
    reuse?: HttpExchange;
    tokenRow?: SqlEvidence;
    /** Every message the SMTP fake received (raw, in memory only: checks scan it, the report lists subjects). */
    mailbox?: MailboxMessage[];
    /** Whose notices to expect: filled by the run from the users it made. */
    expectedNotices: Array<{ email: string; subject: string; why: string }>;
    publicUrl?: string;
  };
  guard?: CommandRun;
  browser: { run?: CommandRun; skipped: boolean; screenshots: ScreenshotFile[] };
  errors: Record<ItemKey, FlowError[]>;
  serverLogLines: string[];
}

/** Where a failed flow step is filed: under the item it gathered evidence for (the report's B1–B5 by what they prove). */
export type ItemKey =
  | 'secretsAtRest'
  | 'twoFactorJourney'
  | 'secondFactorThrottling'
  | 'testSms'
  | 'controlPlane'
  | 'ADMIN' | 'RACE' | 'PASSKEYS' | 'SESSIONS' | 'MAIL' | 'guard' | 'screenshots' | 'setup';

export type TwoFactorJourneyStep =
  | 'register'
  | 'login'
  | 'setup'
  | 'confirm'
  | 'logout'
  | 'loginRequires2fa'
  | 'meBeforeVerify'
  | 'verify'
  | 'status'
  | 'disable'
  | 'statusAfterDisable';

export function emptyEvidence(startedAtMs: number, ttlSeconds: number, maxFailures: number): ProofEvidence {
  return {
    startedAtMs,
    secretsAtRest: { shownCodes: [] },
    twoFactorJourney: {},
    secondFactorThrottling: { setup: [], logins: [], wrong: [], maxFailures, ttlSeconds },
    testSms: { mode: 'fake', problems: [] },
    controlPlane: {},
    admin: {},
    race: { logins: [], probes: [] },
    passkeys: {},
    sessions: {},
    mail: { expectedNotices: [] },
    browser: { skipped: false, screenshots: [] },
    errors: {
      secretsAtRest: [],
      twoFactorJourney: [],
      secondFactorThrottling: [],
      testSms: [],
      controlPlane: [],
      ADMIN: [], RACE: [], PASSKEYS: [], SESSIONS: [], MAIL: [],
      guard: [],
      screenshots: [],
      setup: [],
    },
    serverLogLines: [],
  };
}
