import type { ReplayStore } from '../replay/replay-store.interface.js';
import type { RakomiLogger } from './rakomi-logger.interface.js';

/**
 * When `RakomiModule` fetches the JWK Set at application bootstrap (`onApplicationBootstrap`, bounded
 * by `jwks.timeout`): `'best-effort'` waits for it and, when it fails, logs a warning and boots anyway
 * (the backoff and stale-key machinery carry on); `'required'` fails the boot with `jwks/fetch_failed`
 * (or `jwks/invalid_response`); `false` fetches on the first request. `RakomiClient.ready()` does the same by hand.
 */
export type RakomiJwksPreload = 'best-effort' | 'required' | false;

/** JWKS fetching and caching. Durations are in seconds. */
export interface RakomiJwksOptions {
  /** How long a fetched key set counts as fresh. @default 600 */
  cacheMaxAge?: number;
  /** Minimum time between refetches caused by an unknown `kid`, counted from any attempt. @default 30 */
  cooldown?: number;
  /** Deadline for one fetch, body included. @default 5 */
  timeout?: number;
  /** How long known keys keep verifying after the key set stopped being fresh while refreshes fail. @default 86400 */
  maxStale?: number;
  /** Cap on the decompressed response body, in bytes. @default 524288 */
  maxBytes?: number;
  /** Fetch the key set at application bootstrap, see {@link RakomiJwksPreload}. @default 'best-effort' */
  preload?: RakomiJwksPreload;
}

/** The verified-token cache. Durations are in seconds. */
export interface RakomiTokenCacheOptions {
  /** Most tokens kept; the least recently used is evicted first. @default 10000 */
  maxEntries?: number;
  /** Longest an entry is reused; an entry never outlives its token's `exp`. @default 300 */
  maxAge?: number;
}

/** Options of `RakomiModule.forRoot()` and `new RakomiClient()`. Validated once, at construction. */
export interface RakomiModuleOptions {
  /** Your Rakomi API key. Required. */
  apiKey: string;
  /** Rakomi API origin; `https`, or `http` on a loopback host. @default 'https://api.rakomi.com' */
  baseUrl?: string;
  /** Expected `iss`, compared exactly. @default 'https://rakomi.com' */
  issuer?: string;
  /**
   * Expected `aud`; one match suffices. Required: every Rakomi application shares one issuer and
   * key set, so the audience is what binds a token to this API. `null` explicitly accepts any
   * `aud` (which must still be present): for webhook-only apps, or as a deliberate choice.
   */
  audience: string | string[] | null;
  /** Leeway for `exp`, `nbf` and `iat`, in seconds (0–300). @default 5 */
  clockTolerance?: number;
  /** Longest accepted token lifetime `exp - iat`, in seconds. @default 86400 */
  maxTokenLifetime?: number;
  /** Webhook signing secret(s), `whsec_<base64>`; several during rotation. */
  webhookSecret?: string | string[];
  /** Accepted webhook timestamp skew, both directions, in seconds. @default 300 */
  webhookTolerance?: number;
  /** Largest webhook body accepted, in bytes. @default 1048576 */
  webhookMaxBytes?: number;
  /** JWKS fetching and caching. */
  jwks?: RakomiJwksOptions;
  /** Verified-token cache, or `false` to verify every request from scratch. */
  tokenCache?: false | RakomiTokenCacheOptions;
  /** Webhook replay protection; `false` turns it off. @default new MemoryReplayStore() */
  replayStore?: ReplayStore | false;
  /** `realm` of the `WWW-Authenticate` challenge. @default 'rakomi' */
  realm?: string;
  /** Where operational events go, or `false` for silence. @default console */
  logger?: RakomiLogger | false;
  /** Clock in milliseconds since the epoch, for tests. @default Date.now */
  now?: () => number;
}
