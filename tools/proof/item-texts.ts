/**
 * What the report calls each proof item and what the item proves. The code names the items by
 * what they prove; the report keeps its labels (B1–B5 for the first five) exactly as published.
 */
export interface ItemText {
  id: string;
  title: string;
  proves: string;
}

export const ITEMS = {
  secretsAtRest: {
    id: 'B1',
    title: 'Secrets at rest (SQL on the live database)',
    proves: 'TOTP secrets are encrypted, backup codes are argon2id hashes, tokens are SHA-256 digests: a database dump holds none of them.',
  },
  twoFactorJourney: {
    id: 'B2',
    title: 'Two-factor journey with curl',
    proves: 'register → login → setup → confirm → logout → login (requires_2fa, no cookie) → verify (cookie) → status → disable, as the API promises.',
  },
  secondFactorThrottling: {
    id: 'B3',
    title: 'Throttling: second-factor lock and temp-token expiry',
    proves: 'Wrong codes lock the account at the configured threshold with error_code, retry_after and Retry-After; even the right code is refused during the lock; an expired temp token is refused.',
  },
  testSms: {
    id: 'B4',
    title: 'Test SMS and its usage event',
    proves: 'An admin\'s test SMS goes through the provider, and exactly one integration_usage_events row records it under the trace_id of the answer; a premium-rate destination is refused before the provider is called, and that refusal is recorded too.',
  },
  controlPlane: {
    id: 'B5',
    title: 'Integrations control plane and system status',
    proves: 'Without keys the control plane says so and system status lists the blockers; with keys Twilio is configured and connected, a send moves last_used_at and proof_of_use_count_24h, and the blockers are gone.',
  },
  admin: {
    id: 'ADMIN',
    title: 'Admins are made, never self-made',
    proves: 'Registering cannot make an admin, whatever the address; the role comes only from the operator (npm run cli -- user:grant-admin), stored in the database and audited.',
  },
  race: {
    id: 'RACE',
    title: 'Password change vs logins in flight',
    proves: 'Logins with the old password streamed across a password change: every session they won is dead once the change answered (the credential epoch), checked with curl and in SQL.',
  },
  sessions: {
    id: 'SESSIONS',
    title: 'Sessions list and revoke',
    proves: 'A user signed in from two browsers sees both sessions (by ids that sign nothing in), ends the other one, and that browser is refused on its next request.',
  },
  mailReset: {
    id: 'MAIL-RESET',
    title: 'Password reset by email over SMTP',
    proves: 'Forgot password answers alike for any email; the link arrives over real SMTP (the SMTP fake), works once on the account, ends the old password, and only its SHA-256 is stored.',
  },
  mailNotices: {
    id: 'MAIL-NOTICES',
    title: 'Security notices by email',
    proves: "The run's own actions (2FA on and off, a lockout, a password change, a reset) each mailed the account a notice over SMTP, in plain text and HTML, and no message carries a secret.",
  },
  guard: {
    id: 'GUARD',
    title: 'Guardrails (npm run guard)',
    proves: 'No Supabase Edge Functions and no workflow file that would need the `workflow` OAuth scope to push.',
  },
  screenshots: {
    id: 'SCREENSHOTS',
    title: 'Screenshots of the browser tests',
    proves: 'The UI story in real Chromium against a real server: setup QR, backup codes once, status, disable, OpsAlerts with trace_id, system status, and the rest.',
  },
  httpContract: {
    id: 'HTTP',
    title: 'Every exchange',
    proves: 'Each curl command ran, and each answer carries its X-Request-Id; the servers started.',
  },
} as const satisfies Record<string, ItemText>;
