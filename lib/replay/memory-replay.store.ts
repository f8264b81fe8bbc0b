import type { ReplayStore } from './replay-store.interface.js';

/** Options of {@link MemoryReplayStore}. */
export interface MemoryReplayStoreOptions {
  /** Most keys remembered; the oldest is forgotten first. @default 100000 */
  maxEntries?: number;
  /** Clock in milliseconds since the epoch. @default Date.now */
  now?: () => number;
}

/**
 * In-process replay store: right for a single instance. Use `RedisReplayStore` when several
 * instances receive the same webhooks.
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

  async claim(key: string, ttlSeconds: number): Promise<boolean> {
    const now = this.now();
    const expiry = this.expiries.get(key);
    if (expiry !== undefined && expiry > now) return false;
    this.expiries.delete(key);
    this.expiries.set(key, now + ttlSeconds * 1000);
    this.evict(now);
    return true;
  }

  /** Drops expired keys from the oldest end, then the oldest keys beyond the cap. */
  private evict(now: number): void {
    for (const [key, expiry] of this.expiries) {
      if (this.expiries.size <= this.maxEntries && expiry > now) break;
      this.expiries.delete(key);
    }
  }
}
