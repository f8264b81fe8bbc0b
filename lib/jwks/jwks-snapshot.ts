import type { RakomiErrorCode } from '../errors/error-catalog.js';

/** The JWKS key store's state at one instant, durations in ms on its monotonic clock. */
export interface JwksSnapshot {
  /** Since the last successful fetch; `undefined` before the first one. */
  readonly fetchedAgoMs: number | undefined;
  /** Until the key set stops being fresh (≤ 0: stale or never fetched). */
  readonly freshForMs: number;
  /** Until the key set stops serving, `maxStale` included (≤ 0: nothing to serve). */
  readonly servableForMs: number;
  /** Key ids the current key set publishes (usable or not). */
  readonly keyCount: number;
  /** Code of the last fetch when it failed; `undefined` once a fetch succeeds. */
  readonly lastFailureCode: RakomiErrorCode | undefined;
  /** Until the next fetch may start (backoff); 0 when it may start now. */
  readonly retryInMs: number;
  readonly consecutiveFailures: number;
  /** Whether a fetch is in flight. */
  readonly fetching: boolean;
}

/**
 * Told about every JWKS fetch as it settles: `undefined` for a success or the catalog code of the
 * failure, and how long it took in ms (for metrics).
 */
export type JwksFetchObserver = (failureCode: RakomiErrorCode | undefined, durationMs: number) => void;
