import type { DatabaseHandle } from '../db/client';
import type { users } from '../db/schema';
import { COMPLETE_LOGIN_SQL, completeLoginParams, type LoginCompletionInput, type LoginCompletionRow } from './login-completion';
import type { CredentialRow } from './credential-store';

export interface ChallengeAttempt {
  challengeId: string;
  /** The credential epoch the temp token was issued under (still the user's when it was taken). */
  credentialEpoch: number;
  /** Attempts taken on this token, this one included. */
  attempts: number;
  user: Pick<typeof users.$inferSelect, 'id' | 'email' | 'role' | 'createdAt'>;
  credential: CredentialRow | undefined;
}

interface ChallengeAttemptRow extends Record<string, unknown> {
  challenge_id: string;
  credential_epoch: number;
  attempts: number | string;
  user_id: string;
  email: string;
  role: 'user' | 'admin';
  user_created_at: Date | string;
  secret_ciphertext: string | null;
  credential_created_at: Date | string | null;
  enabled_at: Date | string | null;
  last_used_step: number | string | null;
  last_used_at: Date | string | null;
}

export type SignedInUser = ChallengeAttempt['user'];

export type LoginCompletion =
  | { outcome: 'completed'; sessionId: string; user: SignedInUser }
  /** The TOTP step (or a later one) was already used: nothing was written. */
  | { outcome: 'replayed' }
  /**
   * The token cannot be used (consumed, or voided by a credential change), so nothing was
   * burnt; or the step was burnt but a concurrent request consumed the token first.
   */
  | { outcome: 'token_used' };

// When a temp token can take an attempt: not consumed, attempts left ($2 is the limit), not
// expired ($3 is now), and issued under the user's current credential epoch (a token of an older
// epoch is dead: it takes no attempt and opens nothing). Both statements that count an attempt
// use these conditions, so the two ways of counting cannot drift apart.
const ATTEMPT_CONDITIONS = `consumed_at is null
          and failed_attempts < $2
          and expires_at > $3
          and exists (select 1 from users cu where cu.id = ch.user_id and cu.credential_epoch = ch.credential_epoch)`;

const TAKE_CHALLENGE_ATTEMPT_SQL = `with taken as (
       update two_factor_challenges ch
          set failed_attempts = failed_attempts + 1
        where token_hash = $1
          and ${ATTEMPT_CONDITIONS}
       returning id, user_id, failed_attempts, credential_epoch)
     select taken.id as challenge_id, taken.failed_attempts as attempts, taken.credential_epoch,
            u.id as user_id, u.email, u.role, u.created_at as user_created_at,
            c.secret_ciphertext, c.created_at as credential_created_at, c.enabled_at, c.last_used_step, c.last_used_at
       from taken
       join users u on u.id = taken.user_id
       left join two_factor_credentials c on c.user_id = taken.user_id`;

// A wrong code whose attempt was counted before its evaluation elsewhere (the shared stash): the
// database keeps the count of wrong codes, and a token that died meanwhile changes nothing.
const RECORD_CHALLENGE_FAILURE_SQL = `update two_factor_challenges ch
          set failed_attempts = failed_attempts + 1
        where id = $1
          and ${ATTEMPT_CONDITIONS}
       returning failed_attempts`;

function toChallengeAttempt(row: ChallengeAttemptRow): ChallengeAttempt {
  const credential: CredentialRow | undefined =
    row.secret_ciphertext === null
      ? undefined
      : {
          userId: row.user_id,
          secretCiphertext: row.secret_ciphertext,
          createdAt: new Date(row.credential_created_at!),
          enabledAt: row.enabled_at === null ? null : new Date(row.enabled_at),
          // int8 arrives as a string from node-postgres.
          lastUsedStep: row.last_used_step === null ? null : Number(row.last_used_step),
          lastUsedAt: row.last_used_at === null ? null : new Date(row.last_used_at),
        };
  return {
    challengeId: row.challenge_id,
    credentialEpoch: Number(row.credential_epoch),
    attempts: Number(row.attempts),
    user: { id: row.user_id, email: row.email, role: row.role, createdAt: new Date(row.user_created_at) },
    credential,
  };
}

/**
 * The second login step's two statements, sent as named statements (PostgreSQL plans them
 * once per connection); both are data-modifying CTEs, which the query builder cannot express.
 */
export function createLoginStore(prepare: DatabaseHandle['prepare']) {
  const takeChallengeAttemptStatement = prepare<ChallengeAttemptRow>('two_factor_take_challenge_attempt', TAKE_CHALLENGE_ATTEMPT_SQL);
  const completeLoginStatement = prepare<LoginCompletionRow>('two_factor_complete_login', COMPLETE_LOGIN_SQL);
  const recordChallengeFailureStatement = prepare<{ failed_attempts: number }>('two_factor_record_challenge_failure', RECORD_CHALLENGE_FAILURE_SQL);

  return {
    /**
     * The second login step's first statement: takes one of the temp token's attempts BEFORE the
     * code is evaluated (so parallel requests cannot overshoot the limit) and, in the same round
     * trip, reads the user and the credential the code will be checked against. Undefined when
     * the token is unknown, consumed, out of attempts or expired (findChallenge says which).
     */
    async takeChallengeAttempt(tokenHash: string, maxAttempts: number, now: Date): Promise<ChallengeAttempt | undefined> {
      const row = (await takeChallengeAttemptStatement([tokenHash, maxAttempts, now]))[0];
      return row ? toChallengeAttempt(row) : undefined;
    },

    /**
     * Counts a wrong code on a token whose attempt the shared stash took before the code was
     * evaluated. False when the token is no longer usable, so the refusal is about the token.
     */
    async recordChallengeFailure(challengeId: string, maxAttempts: number, now: Date): Promise<boolean> {
      return (await recordChallengeFailureStatement([challengeId, maxAttempts, now])).length === 1;
    },

    /**
     * The successful end of the second login step as ONE statement: one round trip and one
     * commit instead of four. It burns the TOTP step (replay protection; skipped for a backup
     * code, burnt before), consumes the temp token, and only if both changed their row opens
     * the session and writes the audit rows — built by the session service and the audit log,
     * which own their shape; this statement only stores them.
     */
    async completeLogin(input: LoginCompletionInput): Promise<LoginCompletion> {
      const row = (await completeLoginStatement(completeLoginParams(input)))[0];
      if (!row) throw new Error('completeLogin returned no row');
      if (Number(row.token_usable) !== 1) return { outcome: 'token_used' };
      if (input.totpStep !== null && Number(row.step_recorded) !== 1) return { outcome: 'replayed' };
      if (row.session_id === null || row.email === null) return { outcome: 'token_used' };
      const user = { id: input.userId, email: row.email, role: row.role!, createdAt: new Date(row.user_created_at!) };
      return { outcome: 'completed', sessionId: row.session_id, user };
    },
  };
}
