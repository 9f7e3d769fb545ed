import type { SessionWithUser } from './session-store';

/**
 * A short-lived, per-process memory of session lookups, so a session check (every request of
 * a host app that mounts Proofgate pays one) needs no database round trip while the same
 * session keeps asking.
 *
 * What it may never do is outlive a revocation past a bound:
 * - on the instance that revoked, not at all: every revoking write (session-revocation.ts) and
 *   the end of every transaction call `revoked()`, which forgets everything; a lookup that was
 *   in flight when that happened is not stored (`begin` → generation → `store`), so a read that
 *   saw the row just before the revoking transaction committed cannot refill the cache after it;
 * - on every other instance (they share the database, not this memory), no longer than `ttlMs`
 *   after the revoke committed: an entry is served only while younger than `ttlMs`, counted from
 *   before its read was sent (SESSION_CACHE_MS, at most 1000).
 *
 * Expiry stays exact: a hit still goes through the caller's idle/absolute checks with the
 * business clock; the age here is measured on a monotonic clock, which no fake clock moves.
 */
export interface SessionCache {
  /** The stored lookup for a token hash while it is younger than the bound, else undefined. */
  get(tokenHash: string): SessionWithUser | undefined;
  /** Marks the start of a database read; pass the ticket to `store`. */
  begin(): ReadTicket;
  /** Keeps `found` unless something was revoked since `ticket` was taken. */
  store(ticket: ReadTicket, tokenHash: string, found: SessionWithUser): void;
  /** Drops one entry (its session turned out expired or superseded). */
  forget(tokenHash: string): void;
  /** Something that can end a session was written: forget every entry and every read in flight. */
  revoked(): void;
  readonly size: number;
}

export interface ReadTicket {
  generation: number;
  startedMs: number;
}

interface Entry {
  found: SessionWithUser;
  readStartedMs: number;
}

export interface SessionCacheOptions {
  /** How long an entry may be served: 0 turns the cache off. */
  ttlMs: number;
  /** Oldest entries go first beyond this many (a burst of sign-ins cannot grow memory without bound). */
  maxEntries?: number;
  monotonicMs?: () => number;
}

export const DEFAULT_SESSION_CACHE_ENTRIES = 10_000;

export function createSessionCache(options: SessionCacheOptions): SessionCache {
  const { ttlMs } = options;
  const maxEntries = options.maxEntries ?? DEFAULT_SESSION_CACHE_ENTRIES;
  const monotonicMs = options.monotonicMs ?? (() => performance.now());
  const entries = new Map<string, Entry>();
  let generation = 0;

  return {
    get(tokenHash) {
      const entry = entries.get(tokenHash);
      if (!entry) return undefined;
      if (monotonicMs() - entry.readStartedMs >= ttlMs) {
        entries.delete(tokenHash);
        return undefined;
      }
      return entry.found;
    },
    begin() {
      return { generation, startedMs: monotonicMs() };
    },
    store(ticket, tokenHash, found) {
      if (ttlMs <= 0 || ticket.generation !== generation) return;
      entries.delete(tokenHash);
      if (entries.size >= maxEntries) {
        const oldest = entries.keys().next();
        if (!oldest.done) entries.delete(oldest.value);
      }
      entries.set(tokenHash, { found, readStartedMs: ticket.startedMs });
    },
    forget(tokenHash) {
      entries.delete(tokenHash);
    },
    revoked() {
      generation += 1;
      entries.clear();
    },
    get size() {
      return entries.size;
    },
  };
}
