import type { ReplayStore } from './replay-store.interface.js';

/** Options of {@link MemoryReplayStore}. */
export interface MemoryReplayStoreOptions {
  /** Most unexpired keys remembered; when all are in use, new claims fail closed. @default 100000 */
  maxEntries?: number;
  /** Clock in milliseconds since the epoch. @default Date.now */
  now?: () => number;
}

/** Thrown by {@link MemoryReplayStore.claim} when every entry holds an unexpired key. */
export class ReplayStoreFullError extends Error {
  override readonly name = 'ReplayStoreFullError';
}

/**
 * In-process replay store: right for a single instance. Use `RedisReplayStore` when several
 * instances receive the same webhooks.
 *
 * A key is never forgotten before its ttl ends (forgetting one would let its replay run the
 * handler again). When `maxEntries` unexpired keys are held, `claim` rejects: the webhook route
 * answers 503 `webhook/replay_store_unavailable` with `Retry-After`, and Rakomi retries later.
 */
export class MemoryReplayStore implements ReplayStore {
  private readonly expiries = new Map<string, number>();
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(options: MemoryReplayStoreOptions = {}) {
    const maxEntries = options.maxEntries ?? 100_000;
    if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) {
      throw new RangeError('MemoryReplayStore maxEntries must be a positive integer');
    }
    this.maxEntries = maxEntries;
    this.now = options.now ?? Date.now;
  }

  /** @throws ReplayStoreFullError when `maxEntries` unexpired keys are held (fail closed) */
  async claim(key: string, ttlSeconds: number): Promise<boolean> {
    const now = this.now();
    const expiry = this.expiries.get(key);
    if (expiry !== undefined && expiry > now) return false;
    this.expiries.delete(key);
    if (this.expiries.size >= this.maxEntries && !this.evictExpired(now)) {
      throw new ReplayStoreFullError(`MemoryReplayStore holds ${this.maxEntries} unexpired deliveries (maxEntries)`);
    }
    this.expiries.set(key, now + ttlSeconds * 1000);
    return true;
  }

  /** Drops expired keys, oldest first, then anywhere if the cap is still reached; true when there is room. */
  private evictExpired(now: number): boolean {
    for (const [key, expiry] of this.expiries) {
      if (expiry > now) break;
      this.expiries.delete(key);
    }
    if (this.expiries.size < this.maxEntries) return true;
    // Keys with different ttls are not in expiry order: one full sweep before refusing.
    for (const [key, expiry] of this.expiries) if (expiry <= now) this.expiries.delete(key);
    return this.expiries.size < this.maxEntries;
  }
}
