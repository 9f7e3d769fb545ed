import type { SessionStore } from './session-store';
import type { UserStore } from './user-store';

/**
 * Which store methods can end a session or change what a session check answers (the user's
 * role, credential epoch, an old token). Each is wrapped so the session cache forgets
 * everything before and after it runs (session-cache.ts). The records are exhaustive by type:
 * a method added to either store does not compile until it is classified here, so a new way
 * to revoke cannot silently skip the cache.
 */
type Effect = 'reads' | 'adds' | 'revokes';

const SESSION_STORE_EFFECTS: Record<keyof SessionStore, Effect> = {
  insertIfEpochCurrent: 'adds',
  insertIfEpochCurrentWithEvents: 'adds',
  findByTokenHash: 'reads',
  touch: 'adds',
  rotate: 'revokes',
  deleteById: 'revokes',
  deleteByTokenHash: 'revokes',
  listForUser: 'reads',
  deleteForUser: 'revokes',
  deleteOthersForUser: 'revokes',
};

const USER_STORE_EFFECTS: Record<keyof UserStore, Effect> = {
  findByEmail: 'reads',
  findById: 'reads',
  insert: 'adds',
  setRole: 'revokes',
  listAdminsWithoutTwoFactor: 'reads',
  advanceCredentialEpoch: 'revokes',
};

export interface RevocationListener {
  revoked(): void;
}

function fenced<T extends object>(store: T, effects: Record<keyof T, Effect>, listener: RevocationListener): T {
  const wrapped = { ...store };
  for (const name of Object.keys(effects) as (keyof T)[]) {
    if (effects[name] !== 'revokes') continue;
    const method = store[name] as unknown as (...args: unknown[]) => Promise<unknown>;
    (wrapped as Record<keyof T, unknown>)[name] = async (...args: unknown[]) => {
      listener.revoked();
      try {
        return await method.apply(store, args);
      } finally {
        // After the write answered (committed, unless it joined a transaction: the end of every
        // transaction calls revoked() again, db/client.ts onTransactionEnd).
        listener.revoked();
      }
    };
  }
  return wrapped;
}

export function fenceSessionStore(store: SessionStore, listener: RevocationListener): SessionStore {
  return fenced(store, SESSION_STORE_EFFECTS, listener);
}

export function fenceUserStore(store: UserStore, listener: RevocationListener): UserStore {
  return fenced(store, USER_STORE_EFFECTS, listener);
}
