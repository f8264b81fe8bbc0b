/** First backoff delay after a failed fetch, ms (doubles per consecutive failure). */
export const BACKOFF_BASE_MS = 1_000;
/** Longest backoff delay, ms (a larger `Retry-After`, up to 300 s, still wins). */
export const BACKOFF_CAP_MS = 30_000;

/**
 * Exponential backoff with equal jitter between failed JWKS fetches (1 s → 30 s), never shorter
 * than the endpoint's `Retry-After`; a success starts over.
 */
export class FetchBackoff {
  private failures = 0;
  private notBefore = 0;

  /** Failed fetches since the last success. */
  get consecutiveFailures(): number {
    return this.failures;
  }

  /** Monotonic ms before which no fetch may start (0 after a success). */
  get retryNotBefore(): number {
    return this.notBefore;
  }

  /** True when a fetch may start at `now`. */
  allows(now: number): boolean {
    return now >= this.notBefore;
  }

  /** Records a failure at `now`; returns when the next attempt may start. */
  failed(now: number, retryAfterSeconds = 0): number {
    this.failures++;
    const exponential = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.min(this.failures - 1, 30));
    const delay = exponential / 2 + (Math.random() * exponential) / 2;
    this.notBefore = now + Math.max(delay, retryAfterSeconds * 1000);
    return this.notBefore;
  }

  succeeded(): void {
    this.failures = 0;
    this.notBefore = 0;
  }
}
