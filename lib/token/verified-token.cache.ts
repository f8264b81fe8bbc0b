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
 * token is canonical, so one token has one key; the raw token is never held as a map key).
 *
 * The cache only answers "was this exact string verified, and when"; the caller re-checks the
 * time claims and that the key still is the one the current key set serves for the `kid`.
 */
export class VerifiedTokenCache {
  private readonly entries = new Map<string, VerifiedTokenEntry>();

  /**
   * @param maxEntries most entries kept; the least recently used goes first
   * @param maxAgeMs longest an entry is reused, ms (measured with the `now` option)
   */
  constructor(
    private readonly maxEntries: number,
    private readonly maxAgeMs: number,
  ) {}

  /** The cache key of a token. */
  static digest(token: string): string {
    return hash('sha256', token, 'base64');
  }

  /** The entry for `digest` if it is younger than `maxAge` at `now`; refreshes its LRU position. */
  get(digest: string, now: number): VerifiedTokenEntry | undefined {
    const entry = this.entries.get(digest);
    if (entry === undefined) return undefined;
    const age = now - entry.storedAt;
    if (age < 0 || age >= this.maxAgeMs) {
      this.entries.delete(digest);
      return undefined;
    }
    this.entries.delete(digest);
    this.entries.set(digest, entry);
    return entry;
  }

  set(digest: string, entry: VerifiedTokenEntry): void {
    this.entries.delete(digest);
    this.entries.set(digest, entry);
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }

  delete(digest: string): void {
    this.entries.delete(digest);
  }

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
  }
}
