import { hash } from 'node:crypto';
import type { VerificationKey } from '../jwks/verification-key.js';
import type { RakomiClaims } from './rakomi-claims.interface.js';

/** One verified token: its claims and the key that verified it. */
export interface VerifiedTokenEntry {
  readonly claims: RakomiClaims;
  readonly kid: string;
  /** The exact key object that verified the signature; compared by identity on every hit. */
  readonly key: VerificationKey;
  /** `now()` when the entry was stored, ms. */
  readonly storedAt: number;
}

/**
 * A bounded LRU of successfully verified tokens, keyed by the SHA-256 of the token string (the
 * token is canonical, so one token has one key; the raw token is never held as a map key, only
 * the latest one is kept to spare consecutive requests with the same token a second hash).
 *
 * The cache only answers "was this exact string verified, and when"; the caller re-checks the
 * time claims and that the key still is the one the current key set serves for the `kid`.
 */
export class VerifiedTokenCache {
  private readonly entries = new Map<string, VerifiedTokenEntry>();
  /** The token {@link keyOf} saw last and its digest. */
  private latestToken = '';
  private latestKey = '';
  /** The key of the most recently used entry: hitting it again needs no LRU reordering. */
  private newestKey: string | undefined;

  /**
   * @param maxEntries most entries kept; the least recently used goes first
   * @param maxAgeMs longest an entry is reused, ms (measured with the `now` option)
   */
  constructor(
    private readonly maxEntries: number,
    private readonly maxAgeMs: number,
  ) {}

  /** The cache key of a token: its SHA-256, reused while the same token string comes again. */
  keyOf(token: string): string {
    if (token !== this.latestToken) {
      this.latestKey = hash('sha256', token, 'base64');
      this.latestToken = token;
    }
    return this.latestKey;
  }

  /** The entry for `key` if it is younger than `maxAge` at `now`; refreshes its LRU position. */
  get(key: string, now: number): VerifiedTokenEntry | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    const age = now - entry.storedAt;
    if (age < 0 || age >= this.maxAgeMs) {
      this.delete(key);
      return undefined;
    }
    if (key !== this.newestKey) this.set(key, entry);
    return entry;
  }

  set(key: string, entry: VerifiedTokenEntry): void {
    this.entries.delete(key);
    this.entries.set(key, entry);
    this.newestKey = key;
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }

  delete(key: string): void {
    this.entries.delete(key);
    if (key === this.newestKey) this.newestKey = undefined;
  }

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
    this.newestKey = undefined;
    this.latestToken = '';
    this.latestKey = '';
  }
}
