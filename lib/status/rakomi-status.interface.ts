import type { RakomiErrorCode } from '../errors/error-catalog.js';

/**
 * The key set's state:
 * - `fresh`: fetched within `jwks.cacheMaxAge`;
 * - `stale`: past `cacheMaxAge`, refreshes failing, known keys still verify (within `jwks.maxStale`);
 * - `failing`: no key set can serve (never fetched, or stale beyond `maxStale`) and the last fetch failed;
 * - `unloaded`: never fetched and never tried (no preload, no request yet): the first request fetches it.
 */
export type KeySetState = 'fresh' | 'stale' | 'failing' | 'unloaded';

/** What `RakomiClient.getStatus()` reports about the JWK Set. */
export interface KeySetStatus {
  readonly state: KeySetState;
  /** `true` unless `state` is `failing`: tokens signed with a known key can be verified. */
  readonly serving: boolean;
  /** Seconds since the last successful fetch; `null` before the first one. */
  readonly ageSeconds: number | null;
  /** Key ids published by the current key set. */
  readonly keys: number;
  /** Catalog code of the last fetch when it failed, else `null`. */
  readonly lastError: RakomiErrorCode | null;
  /** Seconds until the next fetch may be attempted (backoff) when the last one failed, else `null`. */
  readonly nextRetrySeconds: number | null;
}

/**
 * The webhook replay store's reachability: `up` (answered a ping, or in-process), `down` (the ping
 * failed or timed out), `unknown` (a custom store without `ping()`), `disabled` (`replayStore: false`).
 */
export interface ReplayStoreStatus {
  readonly state: 'up' | 'down' | 'unknown' | 'disabled';
}

/** `RakomiClient.getStatus()`: what a health check needs, nothing secret. */
export interface RakomiStatus {
  /** `true` when tokens can be verified and the replay store is not down. */
  readonly healthy: boolean;
  readonly keySet: KeySetStatus;
  readonly replayStore: ReplayStoreStatus;
}
