import { describe, expect, it, vi } from 'vitest';
import { createSessionCache } from '../../src/server/auth/session-cache';
import { fenceSessionStore, fenceUserStore } from '../../src/server/auth/session-revocation';
import type { SessionStore, SessionWithUser } from '../../src/server/auth/session-store';
import type { UserStore } from '../../src/server/auth/user-store';

/** The session cache's two promises: never past its bound, never across a revocation it saw. */

const found = (id: string) => ({ session: { id }, user: { id: 'u1' } }) as unknown as SessionWithUser;

function cacheAt(ttlMs: number, maxEntries?: number) {
  let now = 1_000;
  const cache = createSessionCache({ ttlMs, ...(maxEntries ? { maxEntries } : {}), monotonicMs: () => now });
  return { cache, advance: (ms: number) => (now += ms) };
}

describe('session cache', () => {
  it('serves an entry only while it is younger than the bound, counted from before its read', () => {
    const { cache, advance } = cacheAt(500);
    const ticket = cache.begin();
    advance(100); // the read took 100 ms
    cache.store(ticket, 'h1', found('s1'));
    advance(399);
    expect(cache.get('h1')?.session.id).toBe('s1');
    advance(1);
    expect(cache.get('h1')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('forgets everything on a revocation, and a read in flight across it is never stored', () => {
    const { cache } = cacheAt(500);
    cache.store(cache.begin(), 'h1', found('s1'));
    const inFlight = cache.begin();
    cache.revoked();
    expect(cache.get('h1')).toBeUndefined();
    cache.store(inFlight, 'h2', found('s2'));
    expect(cache.get('h2')).toBeUndefined();
    cache.store(cache.begin(), 'h2', found('s2'));
    expect(cache.get('h2')?.session.id).toBe('s2');
  });

  it('stores nothing when turned off (0 ms)', () => {
    const { cache } = cacheAt(0);
    cache.store(cache.begin(), 'h1', found('s1'));
    expect(cache.get('h1')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('holds at most maxEntries, dropping the oldest first', () => {
    const { cache } = cacheAt(500, 3);
    for (const n of [1, 2, 3, 4]) cache.store(cache.begin(), `h${n}`, found(`s${n}`));
    expect(cache.size).toBe(3);
    expect(cache.get('h1')).toBeUndefined();
    expect(cache.get('h4')?.session.id).toBe('s4');
  });
});

describe('revocation fence', () => {
  function fakeStore<T extends object>(names: (keyof T)[]): T {
    return Object.fromEntries(names.map((name) => [name, vi.fn(async () => undefined)])) as T;
  }

  it('tells the cache before and after every write that can end a session, and never on reads', async () => {
    const revoked = vi.fn();
    const sessions = fenceSessionStore(
      fakeStore<SessionStore>([
        'insertIfEpochCurrent',
        'insertIfEpochCurrentWithEvents',
        'findByTokenHash',
        'touch',
        'rotate',
        'deleteById',
        'deleteByTokenHash',
        'listForUser',
        'deleteForUser',
        'deleteOthersForUser',
      ]),
      { revoked },
    );
    const users = fenceUserStore(
      fakeStore<UserStore>(['findByEmail', 'findById', 'insert', 'setRole', 'listAdminsWithoutTwoFactor', 'advanceCredentialEpoch']),
      { revoked },
    );
    await sessions.findByTokenHash('h');
    await sessions.listForUser('u');
    await sessions.touch('s', new Date());
    await users.findById('u');
    expect(revoked).not.toHaveBeenCalled();

    for (const write of [
      () => sessions.deleteById('s'),
      () => sessions.deleteByTokenHash('h'),
      () => sessions.deleteForUser('u', 's'),
      () => sessions.deleteOthersForUser('u', undefined),
      () => sessions.rotate('s', 1, { tokenHash: 'h2' }),
      () => users.setRole('u', 'admin'),
      () => users.advanceCredentialEpoch('u', {}),
    ]) {
      revoked.mockClear();
      await write();
      expect(revoked).toHaveBeenCalledTimes(2);
    }
  });

  it('tells the cache after a failed write too', async () => {
    const revoked = vi.fn();
    const store = { deleteById: vi.fn(async () => Promise.reject(new Error('connection lost'))) } as unknown as SessionStore;
    await expect(fenceSessionStore(store, { revoked }).deleteById('s')).rejects.toThrow('connection lost');
    expect(revoked).toHaveBeenCalledTimes(2);
  });
});
