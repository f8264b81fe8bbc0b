import { Buffer } from 'node:buffer';
import { verify as verifySignature } from 'node:crypto';
import { RakomiError } from '../errors/rakomi.error.js';
import type { JwksClock } from '../jwks/jwks-clock.js';
import { JwksKeyStore } from '../jwks/jwks-key-store.js';
import { OncePerEpisode } from '../logging/once-per-episode.js';
import type { JwksSnapshot } from '../jwks/jwks-snapshot.js';
import type { RakomiMetrics } from '../metrics/rakomi-metrics.js';
import type { VerificationKey } from '../jwks/verification-key.js';
import type { ResolvedRakomiOptions } from '../options/resolved-options.interface.js';
import { extractBearerToken } from './bearer.js';
import { checkTokenLength, decodeJsonObjectSegment, parseCompactJws, type ParsedCompactJws } from './compact-jws.js';
import type { RakomiClaims } from './rakomi-claims.interface.js';
import { checkClaimsShape, checkClaimsTime, deepFreeze } from './token-claims.js';
import { VerifiedTokenCache } from './verified-token.cache.js';

/**
 * Verifies Rakomi access tokens: RS256 compact JWS, keys from the configured JWKS, the Rakomi
 * claim profile. Framework-free; the Nest module provides it as an injectable.
 *
 * Checks run in this order (the code's) and the first failure decides the code:
 * 1. bearer credential present → `token/missing`
 * 2. size cap, compact form, canonical base64url, JSON-object header, string `kid` → `token/malformed`
 * 3. `alg` exactly `RS256` → `token/invalid_algorithm`; no `crit`, no `cty` → `token/malformed`
 * 4. signing key from the JWKS → `jwks/fetch_failed`, `jwks/invalid_response`, `jwks/no_matching_key`
 * 5. signature → `token/invalid_signature`
 * 6. required claims present (`token/missing_claims`) and well typed (`token/malformed`)
 * 7. `iss` → `token/invalid_issuer`; `aud` → `token/invalid_audience`
 * 8. `exp` → `token/expired`; `nbf`/`iat` → `token/not_yet_valid`
 * 9. anything unexpected → `token/internal_error` (cause kept and logged, never sent)
 *
 * No claim is read before the signature has been verified. Successful results may be served
 * from a bounded verified-token cache (`tokenCache` option), which re-checks the time claims and
 * the signing key on every hit.
 */
export class TokenService {
  private readonly keys: JwksKeyStore;
  private readonly cache: VerifiedTokenCache | undefined;
  /** Unexpected errors already logged in their episode. */
  private readonly unexpected = new OncePerEpisode();
  /** Set by `RakomiClient` once a meter provider is found; `undefined` costs the hot path nothing. @internal */
  metrics: RakomiMetrics | undefined;
  /** Whether the last synchronous verification was answered by the cache (read for metrics only). */
  private cacheHit = false;

  /** @param jwksClock the key store's monotonic clock and timers (tests drive their own) */
  constructor(
    private readonly options: ResolvedRakomiOptions,
    jwksClock?: JwksClock,
  ) {
    this.keys = new JwksKeyStore(options, (code, durationMs) => this.metrics?.jwksFetched(code, durationMs), jwksClock);
    this.cache =
      options.tokenCache === false ? undefined : new VerifiedTokenCache(options.tokenCache.maxEntries, options.tokenCache.maxAge * 1000);
  }

  /**
   * Verifies a compact RS256 token (without the `Bearer ` prefix) and returns its frozen claims.
   * @throws RakomiError `token/*` or `jwks/*` (as the promise's rejection)
   */
  async verify(token: string): Promise<RakomiClaims> {
    return this.measured(() => this.run(token));
  }

  /**
   * Verifies the value of an `Authorization` header (`Bearer <token>`, scheme case-insensitive).
   * Pass Node's `req.headersDistinct.authorization` (a `string[]`) to detect repeated headers.
   * @throws RakomiError `token/missing`; `token/malformed` with status 400 for several
   *   `Authorization` headers; otherwise as {@link TokenService.verify}
   */
  async verifyAuthorizationHeader(value: string | readonly string[] | undefined): Promise<RakomiClaims> {
    return this.checkAuthorizationHeader(value);
  }

  /**
   * {@link verifyAuthorizationHeader} without the promise when none is needed: the claims are
   * returned (or the `RakomiError` thrown) synchronously unless the signing key has to be fetched.
   * `RakomiAuthGuard` uses it so that a warm request never waits for a microtask; this is the one
   * place a result may be either (tell them apart with `instanceof Promise`).
   * @internal
   */
  checkAuthorizationHeader(value: string | readonly string[] | undefined): RakomiClaims | Promise<RakomiClaims> {
    return this.measured(() => this.run(extractBearerToken(value)));
  }

  /**
   * Refetches the JWK Set now, whatever its age (incident response: a signing key was revoked).
   * Cached verifications made with a key that is no longer published stop being served.
   * @throws RakomiError `jwks/fetch_failed` or `jwks/invalid_response`; the last good key set is kept
   */
  reload(): Promise<void> {
    return this.keys.reload();
  }

  /** The JWKS key store's state now (for `RakomiClient.getStatus()` and metrics). @internal */
  keySetSnapshot(): JwksSnapshot {
    return this.keys.snapshot();
  }

  /** Stops background JWKS refreshes and aborts a fetch in flight, so the process can exit. */
  close(): void {
    this.keys.close();
    this.cache?.clear();
  }

  /** Runs the checks synchronously as far as possible; a promise only when the key needs a fetch. */
  private run(token: string): RakomiClaims | Promise<RakomiClaims> {
    // 1. Presence.
    if (typeof token !== 'string' || token === '') throw new RakomiError('token/missing');
    // 2. Size cap, before hashing or decoding anything.
    checkTokenLength(token);

    let digest: string | undefined;
    if (this.cache !== undefined) {
      digest = this.cache.keyOf(token);
      const hit = this.fromCache(digest);
      if (hit !== undefined) {
        this.cacheHit = true;
        return hit;
      }
    }

    // 2–3. Compact form and protected header (no network, no claims).
    const parsed = parseCompactJws(token);
    // 4. The signing key: without waiting when the key set is warm, else fetched.
    const key = this.keys.peek(parsed.kid);
    if (key !== undefined) return this.finish(parsed, key, digest);
    return this.keys.resolve(parsed.kid).then((resolved) => this.finish(parsed, resolved, digest));
  }

  /** A cached verification still valid now: same key still served for its kid, time claims re-checked. */
  private fromCache(digest: string): RakomiClaims | undefined {
    const cache = this.cache as VerifiedTokenCache;
    const now = this.options.now();
    const entry = cache.get(digest, now);
    if (entry === undefined) return undefined;
    if (this.keys.peek(entry.kid) !== entry.key) {
      cache.delete(digest);
      return undefined;
    }
    try {
      checkClaimsTime(entry.claims, now, this.options.clockTolerance);
    } catch (error) {
      cache.delete(digest);
      throw error;
    }
    return entry.claims;
  }

  /** Steps 5–8, once the key is known. */
  private finish(parsed: ParsedCompactJws, key: VerificationKey, digest: string | undefined): RakomiClaims {
    // 5. Signature (RSASSA-PKCS1-v1_5 with SHA-256); a wrong length never reaches the RSA operation.
    if (parsed.signature.length !== key.signatureLength) throw new RakomiError('token/invalid_signature');
    const signingInput = Buffer.from(parsed.signingInput, 'latin1');
    if (!verifySignature('sha256', signingInput, key.keyObject, parsed.signature)) {
      throw new RakomiError('token/invalid_signature');
    }
    // 6–7. Payload and claims, only now that the bytes are authentic.
    const payload = decodeJsonObjectSegment(parsed.payloadSegment);
    const claims = checkClaimsShape(payload, this.options);
    // 8. Time.
    const now = this.options.now();
    checkClaimsTime(claims, now, this.options.clockTolerance);

    deepFreeze(claims);
    if (digest !== undefined) this.cache?.set(digest, { claims, kid: parsed.kid, key, storedAt: now });
    return claims;
  }

  /** {@link guarded}, counted and timed when metrics are on. */
  private measured(verification: () => RakomiClaims | Promise<RakomiClaims>): RakomiClaims | Promise<RakomiClaims> {
    const metrics = this.metrics;
    if (metrics === undefined) return this.guarded(verification);
    const startedAt = metrics.start();
    this.cacheHit = false;
    let result: RakomiClaims | Promise<RakomiClaims>;
    try {
      result = this.guarded(verification);
    } catch (error) {
      metrics.tokenFailed(startedAt, error);
      throw error;
    }
    if (!(result instanceof Promise)) {
      metrics.tokenVerified(startedAt, this.cacheHit ? 'hit' : 'miss');
      return result;
    }
    return result.then(
      (claims) => {
        metrics.tokenVerified(startedAt, 'miss');
        return claims;
      },
      (error: unknown) => {
        metrics.tokenFailed(startedAt, error);
        throw error;
      },
    );
  }

  /** Runs a verification; anything but a `RakomiError`, thrown or rejected, becomes `token/internal_error`. */
  private guarded(verification: () => RakomiClaims | Promise<RakomiClaims>): RakomiClaims | Promise<RakomiClaims> {
    try {
      const result = verification();
      return result instanceof Promise ? result.catch((error: unknown) => Promise.reject(this.asRakomiError(error))) : result;
    } catch (error) {
      throw this.asRakomiError(error);
    }
  }

  /**
   * Our errors pass through; anything else becomes `token/internal_error`, logged with its stack
   * once per cause per episode (a request that can trigger it must not flood the log).
   */
  private asRakomiError(error: unknown): RakomiError {
    if (error instanceof RakomiError) return error;
    const cause = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    if (this.unexpected.shouldLog(cause))
      this.options.logger?.error(
        'Unexpected error during token verification (answered token/internal_error)',
        error instanceof Error ? error.stack : undefined,
      );
    return new RakomiError('token/internal_error', { cause: error });
  }
}
