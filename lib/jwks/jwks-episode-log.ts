import type { RakomiErrorCode } from '../errors/error-catalog.js';
import type { RakomiLogger } from '../options/rakomi-logger.interface.js';

/** The JWKS situations logged once when they start, not once per request. */
type Episode = 'stale' | 'expired' | 'failing' | 'budget';

/**
 * The key store's log: each situation (serving stale keys, keys expired, fetches failing, refetch
 * budget exhausted) is logged when it starts and stays quiet until it ends; a success after
 * stale, expired or failing is logged as the recovery.
 */
export class JwksEpisodeLog {
  private readonly open = new Set<Episode>();

  constructor(
    private readonly logger: RakomiLogger | undefined,
    private readonly maxStaleMs: number,
  ) {}

  stale(): void {
    if (this.starts('stale')) {
      this.logger?.warn(
        `serving stale JWKS: the key set is past cacheMaxAge and no refresh has succeeded yet; known keys stay usable for up to ${this.maxStaleMs / 1000} s`,
      );
    }
  }

  expired(): void {
    if (this.starts('expired')) {
      this.logger?.error('JWKS key set expired beyond maxStale; tokens are rejected until the JWKS endpoint recovers');
    }
  }

  fetchFailed(code: RakomiErrorCode, error: unknown, keepingLastGood: boolean): void {
    if (!this.starts('failing')) return;
    const keeping = keepingLastGood ? '; keeping the last good key set' : '';
    if (code === 'token/internal_error') {
      this.logger?.error(`JWKS fetch failed unexpectedly${keeping}`, error instanceof Error ? error.stack : undefined);
    } else {
      this.logger?.warn(`JWKS fetch failed (${code})${keeping}; retrying with backoff`);
    }
  }

  budgetExhausted(): void {
    if (this.starts('budget')) {
      this.logger?.warn('JWKS refetch budget exhausted: tokens with an unknown kid are rejected until the cooldown ends');
    }
  }

  /** An unknown-kid refetch started: the next exhausted budget is a new episode. */
  budgetRenewed(): void {
    this.open.delete('budget');
  }

  fetched(): void {
    const recovered = this.open.has('stale') || this.open.has('expired') || this.open.has('failing');
    this.open.delete('stale');
    this.open.delete('expired');
    this.open.delete('failing');
    if (recovered) this.logger?.log('JWKS refreshed: serving a fresh key set again');
  }

  private starts(episode: Episode): boolean {
    if (this.open.has(episode)) return false;
    this.open.add(episode);
    return true;
  }
}
