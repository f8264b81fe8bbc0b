import { RakomiError } from '../errors/rakomi.error.js';
import type { ResolvedRakomiOptions } from '../options/resolved-options.interface.js';
import { FetchBackoff } from './fetch-backoff.js';
import { importJwkSet, type KeySet } from './jwk-set.js';
import { SYSTEM_CLOCK, type JwksClock } from './jwks-clock.js';
import { JwksEpisodeLog } from './jwks-episode-log.js';
import { asFetchFailure, failureAnswer } from './jwks-failure.js';
import { fetchJwksDocument } from './jwks-fetch.js';
import type { JwksFetchObserver, JwksSnapshot } from './jwks-snapshot.js';
import type { VerificationKey } from './verification-key.js';

/** Refresh-ahead point, as a share of `cacheMaxAge`, and its jitter (±). */
const REFRESH_AHEAD = 0.8;
const REFRESH_JITTER = 0.1;

/** The JWKS options the store uses, in seconds as configured. */
type StoreOptions = Pick<ResolvedRakomiOptions, 'jwksUrl' | 'jwks' | 'logger'>;

/**
 * The JWKS key store: fetches the configured JWK Set, keeps the last good generation, and hands
 * out {@link VerificationKey}s by `kid`.
 *
 * Policies (durations from `options.jwks`, measured on the monotonic {@link JwksClock}):
 * - **fresh** for `cacheMaxAge` after a successful fetch; a background refresh runs at ~80 %
 *   (±10 % jitter) so requests never wait on the network once warm;
 * - **single-flight**: one fetch at a time, every waiter shares it;
 * - **stale-if-error**: a failed fetch never discards the last good set; its keys keep serving
 *   for up to `maxStale` after it stopped being fresh, then `jwks/fetch_failed`;
 * - **backoff** ({@link FetchBackoff}): while backing off, requests that need the network fail
 *   fast with the last failure and `retryAfter`;
 * - **unknown kid**: at most one refetch per `cooldown`, counted from any attempt (failed
 *   ones too), global rather than per kid; then `jwks/no_matching_key`, or the failure's code
 *   when the last attempt failed.
 */
export class JwksKeyStore {
  private readonly cacheMaxAgeMs: number;
  /** How long after a fetch its keys may serve: `cacheMaxAge` + `maxStale`. */
  private readonly servableMs: number;
  private readonly cooldownMs: number;
  private readonly log: JwksEpisodeLog;
  private readonly backoff = new FetchBackoff();
  private readonly closing = new AbortController();

  private keySet: KeySet | undefined;
  /** When `keySet` was fetched (monotonic ms). */
  private fetchedAt = 0;
  private inflight: Promise<KeySet> | undefined;
  private lastAttemptAt = Number.NEGATIVE_INFINITY;
  private lastFailure: RakomiError | undefined;
  private cancelTimer: (() => void) | undefined;

  /**
   * @param observer told about every fetch as it settles (metrics)
   * @param clock monotonic time and timers; tests pass one they drive
   */
  constructor(
    private readonly options: StoreOptions,
    private readonly observer?: JwksFetchObserver,
    private readonly clock: JwksClock = SYSTEM_CLOCK,
  ) {
    this.cacheMaxAgeMs = options.jwks.cacheMaxAge * 1000;
    this.servableMs = (options.jwks.cacheMaxAge + options.jwks.maxStale) * 1000;
    this.cooldownMs = options.jwks.cooldown * 1000;
    this.log = new JwksEpisodeLog(options.logger, options.jwks.maxStale * 1000);
  }

  /**
   * The key the current key set serves for `kid` right now, without any network wait;
   * `undefined` when it has none (then {@link resolve} says why, fetching if allowed).
   */
  peek(kid: string): VerificationKey | undefined {
    const entry = this.usableSet(this.clock.now())?.keys.get(kid);
    return typeof entry === 'object' ? entry : undefined;
  }

  /**
   * The key for `kid`, fetching the key set when needed (cold start, set expired beyond
   * `maxStale`, unknown `kid` within the refetch budget).
   * @throws RakomiError `jwks/fetch_failed`, `jwks/invalid_response`, `jwks/no_matching_key`
   */
  async resolve(kid: string): Promise<VerificationKey> {
    const now = this.clock.now();
    const keySet = this.usableSet(now);
    const entry = keySet?.keys.get(kid);
    if (entry !== undefined) return this.keyOrThrow(kid, entry);
    if (this.inflight !== undefined) return this.afterFetch(this.inflight, kid);
    // Unknown kid in a usable set: one refetch per cooldown. No usable set: only the backoff.
    const nextAttemptAt = Math.max(keySet === undefined ? 0 : this.lastAttemptAt + this.cooldownMs, this.backoff.retryNotBefore);
    if (now >= nextAttemptAt) {
      if (keySet !== undefined) this.log.budgetRenewed();
      return this.afterFetch(this.startFetch(), kid);
    }
    if (keySet !== undefined) this.log.budgetExhausted();
    if (this.lastFailure === undefined) throw new RakomiError('jwks/no_matching_key');
    throw failureAnswer(this.lastFailure, nextAttemptAt - now);
  }

  /**
   * Fetches the JWK Set now, ignoring freshness, cooldown and backoff (incident response: a key
   * was revoked). Waits for a fetch already in flight first, then starts a new one.
   * @throws RakomiError `jwks/fetch_failed` or `jwks/invalid_response`; the last good set is kept
   */
  async reload(): Promise<void> {
    if (this.inflight !== undefined) await this.inflight.catch(() => undefined);
    await (this.inflight ?? this.startFetch());
  }

  /**
   * Stops background refreshes and aborts a fetch in flight (no timer or socket keeps the process
   * alive). Keys already fetched stay usable; a later request that needs keys still fetches them.
   */
  close(): void {
    this.cancelTimer?.();
    this.closing.abort();
  }

  /** The store's state right now, for health checks and metrics (see `describeKeySet`). */
  snapshot(): JwksSnapshot {
    const now = this.clock.now();
    const fetched = this.keySet !== undefined;
    return {
      fetchedAgoMs: fetched ? now - this.fetchedAt : undefined,
      freshForMs: fetched ? this.fetchedAt + this.cacheMaxAgeMs - now : 0,
      servableForMs: fetched ? this.fetchedAt + this.servableMs - now : 0,
      keyCount: this.keySet?.keys.size ?? 0,
      lastFailureCode: this.lastFailure?.code,
      retryInMs: Math.max(0, this.backoff.retryNotBefore - now),
      consecutiveFailures: this.backoff.consecutiveFailures,
      fetching: this.inflight !== undefined,
    };
  }

  /** The key set when it may serve at `now` (fresh, or stale within `maxStale`, refreshing). */
  private usableSet(now: number): KeySet | undefined {
    if (this.keySet === undefined) return undefined;
    const age = now - this.fetchedAt;
    if (age < this.cacheMaxAgeMs) return this.keySet;
    if (age < this.servableMs) {
      this.log.stale();
      this.refreshInBackground(now);
      return this.keySet;
    }
    this.log.expired();
    return undefined;
  }

  private keyOrThrow(kid: string, entry: VerificationKey | string): VerificationKey {
    if (typeof entry === 'object') return entry;
    // A published kid whose RSA key is weak, duplicated, not importable or has refused n / e.
    throw new RakomiError('jwks/invalid_response', {
      cause: new Error(`JWKS key ${JSON.stringify(kid)} is unusable (${entry})`),
      retryAfter: Math.max(1, Math.ceil(this.cooldownMs / 1000)),
    });
  }

  /** Waits for `fetch` and then looks `kid` up in the set it produced. */
  private async afterFetch(fetch: Promise<KeySet>, kid: string): Promise<VerificationKey> {
    const entry = (await fetch).keys.get(kid);
    if (entry === undefined) throw new RakomiError('jwks/no_matching_key');
    return this.keyOrThrow(kid, entry);
  }

  /** Starts one fetch; every concurrent caller shares it until it settles. */
  private startFetch(): Promise<KeySet> {
    const startedAt = (this.lastAttemptAt = this.clock.now());
    const attempt = fetchJwksDocument(this.options.jwksUrl, {
      timeoutMs: this.options.jwks.timeout * 1000,
      maxBytes: this.options.jwks.maxBytes,
      signal: this.closing.signal,
    })
      .then((document) => importJwkSet(document, (this.keySet?.generation ?? 0) + 1, this.keySet))
      .then(
        (keySet) => {
          this.inflight = undefined;
          this.onSuccess(keySet);
          this.observer?.(undefined, this.clock.now() - startedAt);
          return keySet;
        },
        (error: unknown) => {
          this.inflight = undefined;
          const failure = this.onFailure(error);
          this.observer?.(failure.code, this.clock.now() - startedAt);
          throw failure;
        },
      );
    this.inflight = attempt;
    return attempt;
  }

  private onSuccess(keySet: KeySet): void {
    const now = this.clock.now();
    this.keySet = keySet;
    this.fetchedAt = now;
    this.lastFailure = undefined;
    this.backoff.succeeded();
    this.log.fetched();
    this.schedule(this.cacheMaxAgeMs * (REFRESH_AHEAD + (Math.random() * 2 - 1) * REFRESH_JITTER));
  }

  private onFailure(error: unknown): RakomiError {
    const now = this.clock.now();
    const failure = (this.lastFailure = asFetchFailure(error));
    const retryAt = this.backoff.failed(now, failure.retryAfter);
    this.log.fetchFailed(failure.code, error, this.keySet !== undefined);
    // Keep retrying in the background while the last good set can still serve.
    if (this.keySet !== undefined && retryAt < this.fetchedAt + this.servableMs) this.schedule(retryAt - now);
    return failureAnswer(failure, retryAt - now);
  }

  /** Runs a background refresh in `delayMs` (one timer at a time). */
  private schedule(delayMs: number): void {
    if (this.closing.signal.aborted) return;
    this.cancelTimer?.();
    this.cancelTimer = this.clock.schedule(
      () => {
        this.cancelTimer = undefined;
        this.refreshInBackground(this.clock.now());
      },
      Math.max(0, delayMs),
    );
  }

  private refreshInBackground(now: number): void {
    if (this.closing.signal.aborted || this.inflight !== undefined || !this.backoff.allows(now)) return;
    this.startFetch().catch(() => undefined);
  }
}
