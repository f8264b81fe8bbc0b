/** Default and allowed range of one numeric option. */
export interface NumericOptionRule {
  readonly default: number;
  /** Smallest allowed value; `0` may be allowed or excluded with `allowZero`. */
  readonly allowZero: boolean;
  readonly max: number;
  readonly integer?: true;
}

const DAY = 86_400;

/** Defaults and ranges of every numeric option, by its dotted path. */
export const NUMERIC_OPTION_RULES = {
  clockTolerance: { default: 5, allowZero: true, max: 300 },
  maxTokenLifetime: { default: DAY, allowZero: false, max: 30 * DAY },
  webhookTolerance: { default: 300, allowZero: false, max: 3_600 },
  webhookMaxBytes: { default: 1_048_576, allowZero: false, max: 64 * 1_048_576, integer: true },
  'jwks.cacheMaxAge': { default: 600, allowZero: false, max: 7 * DAY },
  'jwks.cooldown': { default: 30, allowZero: false, max: 3_600 },
  'jwks.timeout': { default: 5, allowZero: false, max: 30 },
  'jwks.maxStale': { default: DAY, allowZero: true, max: 30 * DAY },
  'jwks.maxBytes': { default: 524_288, allowZero: false, max: 16 * 1_048_576, integer: true },
  'tokenCache.maxEntries': { default: 10_000, allowZero: false, max: 1_000_000, integer: true },
  'tokenCache.maxAge': { default: 300, allowZero: false, max: DAY },
} as const satisfies Record<string, NumericOptionRule>;

export type NumericOptionPath = keyof typeof NUMERIC_OPTION_RULES;

export const DEFAULT_BASE_URL = 'https://api.rakomi.com';
export const DEFAULT_ISSUER = 'https://rakomi.com';
export const DEFAULT_REALM = 'rakomi';
export const JWKS_PATH = '/.well-known/jwks.json';
