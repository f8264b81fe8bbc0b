import { performance } from 'node:perf_hooks';
import { RakomiError } from '../errors/rakomi.error.js';
import type { RakomiErrorCode } from '../errors/error-catalog.js';
import type { RakomiLogger } from '../options/rakomi-logger.interface.js';
import type { ResolvedRakomiOptions } from '../options/resolved-options.interface.js';
import { importJwkSet, type KeySet } from './jwk-set.js';
import { fetchJwksDocument } from './jwks-fetch.js';
import type { JwksFetchObserver, JwksSnapshot } from './jwks-snapshot.js';
import type { VerificationKey } from './verification-key.js';

/** First backoff delay after a failed fetch, ms (doubles per consecutive failure). */
export const BACKOFF_BASE_MS = 1_000;
/** Longest backoff delay, ms (a larger `Retry-After`, up to 300 s, still wins). */
export const BACKOFF_CAP_MS = 30_000;
/** Refresh-ahead point, as a share of `cacheMaxAge`, and its jitter (±). */
const REFRESH_AHEAD = 0.8;
const REFRESH_JITTER = 0.1;

type FailureCode = Extract<RakomiErrorCode, 'jwks/fetch_failed' | 'jwks/invalid_response' | 'token/internal_error'>;

/** What the store knows about a failed attempt, to answer later requests without the network. */
interface Failure {
  readonly code: FailureCode;
  readonly cause: unknown;
}

/** The JWKS options the store uses, in seconds as configured. */
type StoreOptions = Pick<ResolvedRakomiOptions, 'jwksUrl' | 'jwks' | 'logger'>;

/**
 * The JWKS key store: fetches the configured JWK Set, keeps the last good generation, and hands
 * out {@link VerificationKey}s by `kid` — synchronously whenever the answer is known locally.
 *
 * Policies (durations from `options.jwks`, measured on a monotonic real-time clock):
 * - **fresh** for `cacheMaxAge` after a successful fetch; a background refresh runs at ~80 %
 *   (±10 % jitter) so requests never wait on the network once warm;
 * - **single-flight**: one fetch at a time, every waiter shares it;
 * - **stale-if-error**: a failed fetch never discards the last good set; its keys keep serving
 *   for up to `maxStale` after it stopped being fresh, then `jwks/fetch_failed`;
 * - **backoff**: failures delay the next attempt exponentially (1 s → 30 s, equal jitter),
 *   never less than the endpoint's `Retry-After` (capped at 300 s); while backing off, requests
 *   that need the network fail fast with the last failure and `retryAfter`;
 * - **unknown kid**: at most one refetch per `cooldown`, counted from any attempt (failed
 *   ones too), global rather than per kid; then `jwks/no_matching_key`, or the failure's code
 *   when the last attempt failed.
 */
export class JwksKeyStore {
  private readonly url: string;
  private readonly fixCommand: string;
  private readonly cacheMaxAgeMs: number;
  private readonly maxStaleMs: number;
  private readonly cooldownMs: number;
  private readonly timeoutMs: number;
  private readonly maxBytes: number;
  private readonly logger: RakomiLogger | undefined;

  private keySet: KeySet | undefined;
  private generation = 0;
  private freshUntil = 0;
  private staleUntil = 0;
  private inflight: Promise<KeySet> | undefined;
  private lastAttemptAt = Number.NEGATIVE_INFINITY;
  private lastFailure: Failure | undefined;
  private consecutiveFailures = 0;
  private retryNotBefore = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly closeController = new AbortController();
  private closed = false;
  /** Once-per-episode log flags. */
  private loggedStale = false;
  private loggedFailure = false;
  private loggedBudget = false;
  private loggedExpired = false;

  /** @param observer told about every fetch as it settles (metrics) */
  constructor(
    options: StoreOptions,
    private readonly observer?: JwksFetchObserver,
  ) {
    this.url = options.jwksUrl;
    this.fixCommand = `curl ${options.jwksUrl}`;
    this.cacheMaxAgeMs = options.jwks.cacheMaxAge * 1000;
    this.maxStaleMs = options.jwks.maxStale * 1000;
    this.cooldownMs = options.jwks.cooldown * 1000;
    this.timeoutMs = options.jwks.timeout * 1000;
    this.maxBytes = options.jwks.maxBytes;
    this.logger = options.logger;
  }

  /** Monotonic milliseconds; JWKS timing does not follow the `now` option. */
  private clock(): number {
    return performance.now();
  }

  /**
   * The key for `kid`: the key itself when the local key set answers, a promise when a fetch is
   * needed (cold start, set expired beyond `maxStale`, unknown `kid` within the refetch budget).
   * @throws RakomiError `jwks/fetch_failed`, `jwks/invalid_response`, `jwks/no_matching_key`
   *   (synchronously, or as the promise's rejection)
   */
  resolve(kid: string): VerificationKey | Promise<VerificationKey> {
    const now = this.clock();
    const keySet = this.usableSet(now);
    if (keySet !== undefined) {
      const entry = keySet.keys.get(kid);
      if (entry !== undefined) return this.keyOrThrow(kid, entry);
      return this.resolveUnknownKid(kid, now);
    }
    // No usable key set: cold start, or the last good one is past maxStale.
    if (this.inflight !== undefined) return this.afterFetch(this.inflight, kid);
    if (now < this.retryNotBefore) throw this.failureError(now, this.retryNotBefore);
    return this.afterFetch(this.startFetch(), kid);
  }

  /**
   * The key the current key set serves for `kid` right now, without any network wait;
   * `undefined` when it has none (the verified-token cache uses this to notice removed keys).
   */
  peek(kid: string): VerificationKey | undefined {
    const entry = this.usableSet(this.clock())?.keys.get(kid);
    return typeof entry === 'object' ? entry : undefined;
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
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.closeController.abort();
  }

  /** The store's state right now, for health checks and metrics (see `describeKeySet`). */
  snapshot(): JwksSnapshot {
    const now = this.clock();
    return {
      fetchedAgoMs: this.keySet === undefined ? undefined : now - (this.freshUntil - this.cacheMaxAgeMs),
      freshForMs: this.freshUntil - now,
      servableForMs: this.staleUntil - now,
      keyCount: this.keySet?.keys.size ?? 0,
      lastFailureCode: this.lastFailure?.code,
      retryInMs: Math.max(0, this.retryNotBefore - now),
      consecutiveFailures: this.consecutiveFailures,
    };
  }

  /** The current generation, or `undefined` before the first successful fetch (for tests and metrics). */
  get currentGeneration(): number | undefined {
    return this.keySet?.generation;
  }

  /** The key set when it may serve at `now` (fresh, or stale within `maxStale`); logs the episode. */
  private usableSet(now: number): KeySet | undefined {
    const keySet = this.keySet;
    if (keySet === undefined) return undefined;
    if (now < this.freshUntil) return keySet;
    if (now < this.staleUntil) {
      if (!this.loggedStale) {
        this.loggedStale = true;
        this.logger?.warn(
          `serving stale JWKS: the key set is past cacheMaxAge and no refresh has succeeded yet; known keys stay usable for up to ${this.maxStaleMs / 1000} s`,
        );
      }
      this.refreshInBackground(now);
      return keySet;
    }
    if (!this.loggedExpired) {
      this.loggedExpired = true;
      this.logger?.error('JWKS key set expired beyond maxStale; tokens are rejected until the JWKS endpoint recovers');
    }
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

  private resolveUnknownKid(kid: string, now: number): VerificationKey | Promise<VerificationKey> {
    if (this.inflight !== undefined) return this.afterFetch(this.inflight, kid);
    const budgetFrom = Math.max(this.lastAttemptAt + this.cooldownMs, this.retryNotBefore);
    if (now >= budgetFrom) {
      this.loggedBudget = false;
      return this.afterFetch(this.startFetch(), kid);
    }
    if (!this.loggedBudget) {
      this.loggedBudget = true;
      this.logger?.warn('JWKS refetch budget exhausted: tokens with an unknown kid are rejected until the cooldown ends');
    }
    if (this.lastFailure !== undefined) throw this.failureError(now, budgetFrom);
    throw new RakomiError('jwks/no_matching_key');
  }

  /** Waits for `fetch` and then looks `kid` up in the set it produced. */
  private afterFetch(fetch: Promise<KeySet>, kid: string): Promise<VerificationKey> {
    return fetch.then((keySet) => {
      const entry = keySet.keys.get(kid);
      if (entry === undefined) throw new RakomiError('jwks/no_matching_key');
      return this.keyOrThrow(kid, entry);
    });
  }

  /** The last failure as a fresh error, with the seconds until the next attempt may happen. */
  private failureError(now: number, nextAttemptAt: number): RakomiError {
    const failure = this.lastFailure ?? { code: 'jwks/fetch_failed', cause: undefined };
    return new RakomiError(failure.code, {
      cause: failure.cause,
      ...(failure.code === 'jwks/fetch_failed' ? { fixCommand: this.fixCommand } : {}),
      ...(failure.code === 'token/internal_error'
        ? {}
        : { retryAfter: Math.max(1, Math.ceil(Math.round(nextAttemptAt - now) / 1000)) }),
    });
  }

  /** Starts one fetch; every concurrent caller shares it until it settles. */
  private startFetch(): Promise<KeySet> {
    const startedAt = (this.lastAttemptAt = this.clock());
    const generation = this.generation + 1;
    const attempt = fetchJwksDocument(this.url, {
      timeoutMs: this.timeoutMs,
      maxBytes: this.maxBytes,
      fixCommand: this.fixCommand,
      signal: this.closeController.signal,
    })
      .then((document) => importJwkSet(document, generation, this.keySet))
      .then(
        (keySet) => {
          this.inflight = undefined;
          this.onSuccess(keySet);
          this.observer?.(undefined, this.clock() - startedAt);
          return keySet;
        },
        (error: unknown) => {
          this.inflight = undefined;
          const failure = this.onFailure(error);
          this.observer?.(failure.code, this.clock() - startedAt);
          throw failure;
        },
      );
    this.inflight = attempt;
    return attempt;
  }

  private onSuccess(keySet: KeySet): void {
    const now = this.clock();
    const recovered = this.loggedStale || this.loggedFailure || this.loggedExpired;
    this.generation = keySet.generation;
    this.keySet = keySet;
    this.freshUntil = now + this.cacheMaxAgeMs;
    this.staleUntil = this.freshUntil + this.maxStaleMs;
    this.lastFailure = undefined;
    this.consecutiveFailures = 0;
    this.retryNotBefore = 0;
    this.loggedStale = this.loggedFailure = this.loggedExpired = false;
    if (recovered) this.logger?.log('JWKS refreshed: serving a fresh key set again');
    this.schedule(now + this.cacheMaxAgeMs * (REFRESH_AHEAD + (Math.random() * 2 - 1) * REFRESH_JITTER));
  }

  private onFailure(error: unknown): RakomiError {
    const now = this.clock();
    const rakomi = error instanceof RakomiError ? error : undefined;
    const code: FailureCode =
      rakomi?.code === 'jwks/fetch_failed' || rakomi?.code === 'jwks/invalid_response' ? rakomi.code : 'token/internal_error';
    const cause = rakomi?.code === code ? (rakomi.cause ?? rakomi) : error;
    this.lastFailure = { code, cause };
    this.consecutiveFailures++;
    const exponential = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.min(this.consecutiveFailures - 1, 30));
    const delay = exponential / 2 + (Math.random() * exponential) / 2;
    const floor = (rakomi?.retryAfter ?? 0) * 1000;
    this.retryNotBefore = now + Math.max(delay, floor);
    if (!this.loggedFailure) {
      this.loggedFailure = true;
      const keeping = this.keySet === undefined ? '' : '; keeping the last good key set';
      if (code === 'token/internal_error') {
        this.logger?.error(`JWKS fetch failed unexpectedly${keeping}`, error instanceof Error ? error.stack : undefined);
      } else {
        this.logger?.warn(`JWKS fetch failed (${code})${keeping}; retrying with backoff`);
      }
    }
    // Keep retrying in the background while the last good set can still serve.
    if (this.keySet !== undefined && this.retryNotBefore < this.staleUntil) this.schedule(this.retryNotBefore);
    return this.failureError(now, this.retryNotBefore);
  }

  /** Runs a background refresh at monotonic time `at` (one timer at a time, unref'd). */
  private schedule(at: number): void {
    if (this.closed) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.refreshInBackground(this.clock());
    }, Math.max(0, at - this.clock()));
    this.timer.unref();
  }

  private refreshInBackground(now: number): void {
    if (this.closed || this.inflight !== undefined || now < this.retryNotBefore) return;
    this.startFetch().catch(() => undefined);
  }
}
