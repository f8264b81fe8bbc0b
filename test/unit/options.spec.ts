import { RakomiError } from '../../lib/errors/index.js';
import { resolveOptions, type RakomiModuleOptions } from '../../lib/options/index.js';
import { MemoryReplayStore } from '../../lib/replay/memory-replay.store.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

function errorOf(options: unknown): RakomiError {
  try {
    resolveOptions(options as RakomiModuleOptions);
  } catch (error) {
    if (error instanceof RakomiError) return error;
    throw error;
  }
  throw new Error('resolveOptions accepted the options');
}

describe('resolveOptions defaults', () => {
  it('fills every documented default', () => {
    const resolved = resolveOptions({ apiKey: 'akm_live_x', audience: null });
    expect(resolved).toMatchObject({
      baseUrl: 'https://api.rakomi.com',
      jwksUrl: 'https://api.rakomi.com/.well-known/jwks.json',
      issuer: 'https://rakomi.com',
      audience: null,
      clockTolerance: 5,
      maxTokenLifetime: 86_400,
      webhookKeys: [],
      webhookTolerance: 300,
      webhookMaxBytes: 1_048_576,
      jwks: { cacheMaxAge: 600, cooldown: 30, timeout: 5, maxStale: 86_400, maxBytes: 524_288 },
      tokenCache: { maxEntries: 10_000, maxAge: 300 },
      realm: 'rakomi',
      now: Date.now,
    });
    expect(resolved.replayStore).toBeInstanceOf(MemoryReplayStore);
    expect(Object.isFrozen(resolved) && Object.isFrozen(resolved.jwks)).toBe(true);
  });

  it('keeps explicit values, decodes secrets and normalises the base URL', () => {
    const now = (): number => 0;
    const resolved = resolveOptions({
      apiKey: 'akm_live_x',
      baseUrl: 'http://127.0.0.1:4000/',
      audience: 'api',
      webhookSecret: [`${SECRET}\n`, SECRET],
      tokenCache: false,
      replayStore: false,
      logger: false,
      clockTolerance: 0,
      jwks: { maxStale: 0, timeout: 0.2 },
      now,
    });
    expect(resolved.jwksUrl).toBe('http://127.0.0.1:4000/.well-known/jwks.json');
    expect(resolved.audience).toEqual(['api']);
    expect(resolved.webhookKeys.map((key) => key.length)).toEqual([24, 24]);
    expect([resolved.tokenCache, resolved.replayStore, resolved.logger]).toEqual([false, false, undefined]);
    expect([resolved.clockTolerance, resolved.jwks.maxStale, resolved.jwks.timeout]).toEqual([0, 0, 0.2]);
    expect(resolved.now).toBe(now);
  });
});

describe('resolveOptions rejects bad configuration at construction (C-xx)', () => {
  it.each([undefined, '', '   ', 42, null])('C-01 apiKey %p → config/missing_api_key', (apiKey) => {
    expect(errorOf({ apiKey }).code).toBe('config/missing_api_key');
  });

  it.each([
    'http://auth.rakomi.test',
    'ftp://x',
    'auth.rakomi.test',
    'https://',
    'https:///path',
    'https://user:pass@auth.rakomi.test',
    'https://auth.rakomi.test?x=1',
    'https://auth.rakomi.test#f',
    ' https://auth.rakomi.test',
    'javascript:alert(1)',
    'http://10.0.0.1',
    'http://localhost.evil.test',
    '',
    42,
  ])('C-02/C-03 baseUrl %p → config/invalid_base_url without echoing it', (baseUrl) => {
    const error = errorOf({ apiKey: 'k', baseUrl });
    expect(error.code).toBe('config/invalid_base_url');
    expect(error.message).toBe('baseUrl must be a valid HTTPS URL');
    expect(JSON.stringify(error)).not.toContain('pass');
  });

  it.each(['http://localhost:3000', 'http://127.0.0.1:1', 'http://[::1]:8080', 'https://auth.rakomi.test/base'])(
    'accepts %s (https, or http on a loopback host)',
    (baseUrl) => {
      expect(resolveOptions({ apiKey: 'k', audience: 'api', baseUrl }).baseUrl).toBe(baseUrl);
    },
  );

  it.each(['', '   ', 'whsec_', []])('C-06 webhookSecret %p → config/missing_webhook_secret', (webhookSecret) => {
    expect(errorOf({ apiKey: 'k', audience: 'api', webhookSecret }).code).toBe('config/missing_webhook_secret');
  });

  it.each([
    ['no prefix', 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'],
    ['not base64', 'whsec_!!!!'],
    ['url-safe alphabet', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLa-_'],
    ['bad padding', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS='],
    ['16 bytes', `whsec_${Buffer.alloc(16, 1).toString('base64')}`],
    ['65 bytes', `whsec_${Buffer.alloc(65, 1).toString('base64')}`],
    ['a number', 42],
  ])('C-07 webhookSecret (%s) → config/invalid_webhook_secret, never echoing it', (_label, webhookSecret) => {
    const error = errorOf({ apiKey: 'k', audience: 'api', webhookSecret });
    expect(error.code).toBe('config/invalid_webhook_secret');
    const shown = `${error.message} ${JSON.stringify(error)}`;
    if (typeof webhookSecret === 'string') expect(shown).not.toContain(webhookSecret.replace('whsec_', ''));
  });

  it.each([
    ['clockTolerance', { clockTolerance: -1 }],
    ['clockTolerance', { clockTolerance: 301 }],
    ['clockTolerance', { clockTolerance: Number.NaN }],
    ['clockTolerance', { clockTolerance: '5' }],
    ['webhookTolerance', { webhookTolerance: 0 }],
    ['maxTokenLifetime', { maxTokenLifetime: Infinity }],
    ['jwks.timeout', { jwks: { timeout: 0 } }],
    ['jwks.timeout', { jwks: { timeout: 31 } }],
    ['jwks.cooldown', { jwks: { cooldown: -5 } }],
    ['jwks.cacheMaxAge', { jwks: { cacheMaxAge: Number.NaN } }],
    ['jwks.maxBytes', { jwks: { maxBytes: 1.5 } }],
    ['jwks.maxStale', { jwks: { maxStale: -1 } }],
    ['jwks.algorithms', { jwks: { algorithms: ['HS256'] } }],
    ['jwks', { jwks: 'fast' }],
    ['tokenCache.maxEntries', { tokenCache: { maxEntries: 0 } }],
    ['tokenCache.ttl', { tokenCache: { ttl: 5 } }],
    ['tokenCache', { tokenCache: true }],
    ['algorithms', { algorithms: ['RS256', 'HS256'] }],
    ['verifySignature', { verifySignature: false }],
    ['audience', { audience: [] }],
    ['audience', { audience: [''] }],
    ['issuer', { issuer: '' }],
    ['replayStore', { replayStore: {} }],
    ['logger', { logger: { log() {} } }],
    ['now', { now: 5 }],
    ['realm', { realm: 'a"b' }],
    ['options', null],
  ])('C-05/C-10 %s → config/invalid_option naming the option, never the value', (path, extra) => {
    const options = extra === null ? null : { apiKey: 'k', audience: 'api', ...extra };
    const error = errorOf(options);
    expect(error.code).toBe('config/invalid_option');
    expect(error.message).toBe(`Invalid SDK option: ${path}`);
    expect(error.toJSON().code).toBe('config/invalid_option');
  });
});

describe('audience is required', () => {
  it.each([
    ['missing', { apiKey: 'k' }],
    ['undefined', { apiKey: 'k', audience: undefined }],
  ])('%s → config/invalid_option at construction, saying to set it or null', (_case, options) => {
    const error = errorOf(options);
    expect(error.code).toBe('config/invalid_option');
    expect(error.message).toMatch(/^Invalid SDK option: audience is required: set it .*or to null to accept/);
    expect(error.toJSON().message).toBe(error.message);
  });

  it.each([
    ['a string', 'api', ['api']],
    ['a list', ['a', 'b'], ['a', 'b']],
    ['null (explicitly any aud)', null, null],
  ])('accepts %s', (_case, audience, resolved) => {
    expect(resolveOptions({ apiKey: 'k', audience }).audience).toEqual(resolved);
  });

  it.each([[42], [{}], [[1]], [[null]], [false]])('rejects audience %p', (audience) => {
    expect(errorOf({ apiKey: 'k', audience }).message).toBe('Invalid SDK option: audience');
  });
});

describe('the default replay store', () => {
  it('follows the configured clock, so a frozen test clock also drives replay expiry', async () => {
    let nowMs = 1_000_000;
    const { replayStore } = resolveOptions({ apiKey: 'k', audience: null, now: () => nowMs });
    if (replayStore === false) throw new Error('replay protection is on by default');
    expect(await replayStore.claim('delivery', 10)).toBe(true);
    expect(await replayStore.claim('delivery', 10)).toBe(false);
    nowMs += 10_001;
    expect(await replayStore.claim('delivery', 10)).toBe(true);
  });
});

describe('jwks.preload', () => {
  it("defaults to 'best-effort' and accepts 'required' and false", () => {
    expect(resolveOptions({ apiKey: 'k', audience: 'my-api' }).jwks.preload).toBe('best-effort');
    expect(resolveOptions({ apiKey: 'k', audience: 'my-api', jwks: { preload: 'required' } }).jwks.preload).toBe('required');
    expect(resolveOptions({ apiKey: 'k', audience: 'my-api', jwks: { preload: false } }).jwks.preload).toBe(false);
  });

  it.each([true, 'background', 'REQUIRED', 0, null])('%p → config/invalid_option naming jwks.preload', (preload) => {
    const error = errorOf({ apiKey: 'k', audience: 'my-api', jwks: { preload } });
    expect(error.code).toBe('config/invalid_option');
    expect(error.message).toContain('jwks.preload');
  });
});
