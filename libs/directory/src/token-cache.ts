import type { Actor } from '#shouhu/engine';

export interface TokenCacheOptions {
  /** How long an authenticated token is trusted without asking the database again. */
  ttlMs: number;
  /** Least recently used entries go first beyond this many. */
  maxEntries: number;
  /** A monotonic clock in ms (tests step it by hand). */
  now?: () => number;
}

export const TOKEN_CACHE_DEFAULTS: TokenCacheOptions = { ttlMs: 10_000, maxEntries: 10_000 };

/**
 * token hash → actor, so a request does not cost two queries to authenticate. A token revoked in
 * the database stays usable in another process for at most `ttlMs`; the revoking process forgets it at once.
 */
export class TokenCache {
  private readonly entries = new Map<string, { actor: Actor; expiresAt: number }>();
  private readonly now: () => number;

  constructor(private readonly options: TokenCacheOptions = TOKEN_CACHE_DEFAULTS) {
    this.now = options.now ?? (() => performance.now());
  }

  get(tokenHash: string): Actor | undefined {
    const entry = this.entries.get(tokenHash);
    if (!entry) return undefined;
    this.entries.delete(tokenHash);
    if (entry.expiresAt <= this.now()) return undefined;
    this.entries.set(tokenHash, entry); // most recently used last
    return entry.actor;
  }

  set(tokenHash: string, actor: Actor): void {
    if (this.options.ttlMs <= 0) return;
    this.entries.delete(tokenHash);
    this.entries.set(tokenHash, { actor, expiresAt: this.now() + this.options.ttlMs });
    while (this.entries.size > this.options.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  forget(tokenHash: string): void {
    this.entries.delete(tokenHash);
  }

  get size(): number {
    return this.entries.size;
  }
}
