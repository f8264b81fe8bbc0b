import type { ReplayStore } from '../replay/replay-store.interface.js';
import type { RakomiLogger } from './rakomi-logger.interface.js';
import type { RakomiJwksPreload } from './rakomi-options.interface.js';

/** Options after validation: every default filled in, durations still in seconds. */
export interface ResolvedRakomiOptions {
  readonly baseUrl: string;
  readonly jwksUrl: string;
  readonly issuer: string;
  /** `null`: any `aud` is accepted (explicitly configured). */
  readonly audience: readonly string[] | null;
  readonly clockTolerance: number;
  readonly maxTokenLifetime: number;
  /** Decoded HMAC keys; empty when no secret was configured. */
  readonly webhookKeys: readonly Buffer[];
  readonly webhookTolerance: number;
  readonly webhookMaxBytes: number;
  readonly jwks: {
    readonly cacheMaxAge: number;
    readonly cooldown: number;
    readonly timeout: number;
    readonly maxStale: number;
    readonly maxBytes: number;
    readonly preload: RakomiJwksPreload;
  };
  readonly tokenCache: false | { readonly maxEntries: number; readonly maxAge: number };
  readonly replayStore: ReplayStore | false;
  readonly realm: string;
  readonly logger: RakomiLogger | undefined;
  readonly now: () => number;
}
