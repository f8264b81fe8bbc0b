import { RakomiError } from '../errors/rakomi.error.js';
import { isJsonObject } from '../json/is-json-object.js';
import { MemoryReplayStore } from '../replay/memory-replay.store.js';
import type { ReplayStore } from '../replay/replay-store.interface.js';
import { normaliseBaseUrl } from './base-url.js';
import {
  DEFAULT_BASE_URL,
  DEFAULT_ISSUER,
  DEFAULT_REALM,
  JWKS_PATH,
  NUMERIC_OPTION_RULES,
  type NumericOptionPath,
} from './option-limits.js';
import type { RakomiLogger } from './rakomi-logger.interface.js';
import type { RakomiJwksPreload, RakomiModuleOptions } from './rakomi-options.interface.js';
import type { ResolvedRakomiOptions } from './resolved-options.interface.js';
import { decodeWebhookSecrets } from './webhook-secret.js';

const TOP_LEVEL_KEYS = new Set([
  'apiKey',
  'baseUrl',
  'issuer',
  'audience',
  'clockTolerance',
  'maxTokenLifetime',
  'webhookSecret',
  'webhookTolerance',
  'webhookMaxBytes',
  'jwks',
  'tokenCache',
  'replayStore',
  'realm',
  'logger',
  'now',
]);
const JWKS_KEYS = new Set(['cacheMaxAge', 'cooldown', 'timeout', 'maxStale', 'maxBytes', 'preload']);
const PRELOAD_MODES: readonly unknown[] = ['best-effort', 'required', false];
const TOKEN_CACHE_KEYS = new Set(['maxEntries', 'maxAge']);
/** RFC 9110 `token` characters: a realm made of them never needs escaping in a challenge. */
const REALM_PATTERN = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}$/;

function invalidOption(path: string): RakomiError {
  return new RakomiError('config/invalid_option', { detail: path });
}

function rejectUnknownKeys(value: object, known: Set<string>, prefix: string): void {
  for (const key of Object.keys(value)) {
    if (!known.has(key)) throw invalidOption(prefix + key);
  }
}

function plainObject(value: unknown, path: string): Record<string, unknown> {
  if (!isJsonObject(value)) throw invalidOption(path);
  return value;
}

function numeric(path: NumericOptionPath, value: unknown): number {
  const rule = NUMERIC_OPTION_RULES[path];
  if (value === undefined) return rule.default;
  const valid =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (rule.allowZero ? value >= 0 : value > 0) &&
    value <= rule.max &&
    (!('integer' in rule) || Number.isInteger(value));
  if (!valid) throw invalidOption(path);
  return value;
}

function nonBlankString(value: unknown, path: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw invalidOption(path);
  return value;
}

/** The thrown message for a missing `audience`: what to set, and what `null` means. */
export const MISSING_AUDIENCE_DETAIL =
  "audience is required: set it to the audience your API's tokens carry (audience: 'https://api.example.com'), " +
  'or to null to accept a token minted for any Rakomi application (webhook-only apps)';

/**
 * `audience` is required (all Rakomi applications share one issuer and key set, so the audience
 * binds a token to this API); `null` explicitly accepts any `aud`, which must still be present.
 */
function audienceList(value: unknown): readonly string[] | null {
  if (value === undefined) throw invalidOption(MISSING_AUDIENCE_DETAIL);
  if (value === null) return null;
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0) throw invalidOption('audience');
  return Object.freeze(list.map((entry) => nonBlankString(entry, 'audience')));
}

function replayStore(value: unknown, now: () => number): ReplayStore | false {
  if (value === undefined) return new MemoryReplayStore({ now });
  if (value === false) return false;
  if (typeof (value as Partial<ReplayStore> | null)?.claim !== 'function') throw invalidOption('replayStore');
  return value as ReplayStore;
}

function logger(value: unknown): RakomiLogger | undefined {
  if (value === false) return undefined;
  if (value === undefined) return consoleLogger;
  const candidate = value as Partial<RakomiLogger> | null;
  const methods = ['log', 'warn', 'error'] as const;
  if (!methods.every((method) => typeof candidate?.[method] === 'function')) throw invalidOption('logger');
  return value as RakomiLogger;
}

const consoleLogger: RakomiLogger = {
  log: (message) => console.log(`[rakomi] ${message}`),
  warn: (message) => console.warn(`[rakomi] ${message}`),
  error: (message, stack) => console.error(`[rakomi] ${message}`, ...(stack ? [stack] : [])),
};

function jwksOptions(value: unknown): ResolvedRakomiOptions['jwks'] {
  const jwks = value === undefined ? {} : plainObject(value, 'jwks');
  rejectUnknownKeys(jwks, JWKS_KEYS, 'jwks.');
  return Object.freeze({
    cacheMaxAge: numeric('jwks.cacheMaxAge', jwks.cacheMaxAge),
    cooldown: numeric('jwks.cooldown', jwks.cooldown),
    timeout: numeric('jwks.timeout', jwks.timeout),
    maxStale: numeric('jwks.maxStale', jwks.maxStale),
    maxBytes: numeric('jwks.maxBytes', jwks.maxBytes),
    preload: preloadMode(jwks.preload),
  });
}

function preloadMode(value: unknown): RakomiJwksPreload {
  if (value === undefined) return 'best-effort';
  if (!PRELOAD_MODES.includes(value)) throw invalidOption('jwks.preload');
  return value as RakomiJwksPreload;
}

function tokenCacheOptions(value: unknown): ResolvedRakomiOptions['tokenCache'] {
  if (value === false) return false;
  const cache = value === undefined ? {} : plainObject(value, 'tokenCache');
  rejectUnknownKeys(cache, TOKEN_CACHE_KEYS, 'tokenCache.');
  return Object.freeze({
    maxEntries: numeric('tokenCache.maxEntries', cache.maxEntries),
    maxAge: numeric('tokenCache.maxAge', cache.maxAge),
  });
}

/**
 * Validates user options once and fills in every default.
 * @throws RakomiError `config/missing_api_key`, `config/invalid_base_url`,
 *   `config/missing_webhook_secret`, `config/invalid_webhook_secret` or `config/invalid_option`
 *   (naming the option, never its value)
 */
export function resolveOptions(input: RakomiModuleOptions): ResolvedRakomiOptions {
  const options = plainObject(input, 'options');
  rejectUnknownKeys(options, TOP_LEVEL_KEYS, '');
  if (typeof options.apiKey !== 'string' || options.apiKey.trim() === '') {
    throw new RakomiError('config/missing_api_key');
  }
  const baseUrl = options.baseUrl === undefined ? DEFAULT_BASE_URL : normaliseBaseUrl(options.baseUrl);
  const now = options.now ?? Date.now;
  if (typeof now !== 'function') throw invalidOption('now');
  const realm = options.realm ?? DEFAULT_REALM;
  if (typeof realm !== 'string' || !REALM_PATTERN.test(realm)) throw invalidOption('realm');

  return Object.freeze({
    baseUrl,
    jwksUrl: baseUrl + JWKS_PATH,
    issuer: options.issuer === undefined ? DEFAULT_ISSUER : nonBlankString(options.issuer, 'issuer'),
    audience: audienceList(options.audience),
    clockTolerance: numeric('clockTolerance', options.clockTolerance),
    maxTokenLifetime: numeric('maxTokenLifetime', options.maxTokenLifetime),
    webhookKeys: Object.freeze(decodeWebhookSecrets(options.webhookSecret)),
    webhookTolerance: numeric('webhookTolerance', options.webhookTolerance),
    webhookMaxBytes: numeric('webhookMaxBytes', options.webhookMaxBytes),
    jwks: jwksOptions(options.jwks),
    tokenCache: tokenCacheOptions(options.tokenCache),
    replayStore: replayStore(options.replayStore, now as () => number),
    realm,
    logger: logger(options.logger),
    now: now as () => number,
  });
}
