import type { Database, DatabaseHandle, Executor } from '../db/client';
import { createBackupCodeStore } from './backup-code-store';
import { createChallengeStore } from './challenge-store';
import { createCiphertextStore } from './ciphertext-store';
import { createCredentialStore, createFactorRemovalStore } from './credential-store';
import { createLoginStore } from './login-store';

export type { BackupCodeRow } from './backup-code-store';
export type { ChallengeRow } from './challenge-store';
export type { CredentialRow } from './credential-store';
export type { ChallengeAttempt, LoginCompletion } from './login-store';

/** The database or a transaction: multi-step changes pass their transaction down. */
export type { Executor };

/**
 * The only SQL of the twofactor capability, one module per job. Every single-use or state
 * transition is one conditional statement that must change exactly one row (docs/security.md:
 * single-use secrets), so concurrent requests cannot both win.
 */
export function createTwoFactorStore(
  db: Database,
  runTransaction: <T>(work: (tx: Database) => Promise<T>) => Promise<T>,
  prepare: DatabaseHandle['prepare'],
) {
  return {
    transaction: <T>(work: (tx: Executor) => Promise<T>): Promise<T> => runTransaction(work),
    ...createCredentialStore(db),
    ...createFactorRemovalStore(),
    ...createBackupCodeStore(db),
    ...createChallengeStore(db),
    ...createLoginStore(prepare),
    ...createCiphertextStore(db),
  };
}

export type TwoFactorStore = ReturnType<typeof createTwoFactorStore>;
