import { readFileSync } from 'node:fs';
import { ERROR_CATALOG, RakomiError, isRakomiError, type RakomiErrorCode } from '../../lib/errors/index.js';

interface SeedEntry {
  message: string;
  suggestion: string;
  fixCommand?: string;
}

/** Parses the published catalog page (kept verbatim as a fixture) into code → texts. */
function parseSeedPage(text: string): Map<string, SeedEntry> {
  const entries = new Map<string, SeedEntry>();
  const sections = text.split(/^(?=[a-z]+\/[a-z_]+$)/m).slice(1);
  for (const section of sections) {
    const [code] = section.split('\n');
    const field = (name: string): string | undefined => section.match(new RegExp(`^${name}(.+)$`, 'm'))?.[1];
    const entry: SeedEntry = { message: field('Message')!, suggestion: field('Suggestion')! };
    const fixCommand = field('Fix command');
    if (fixCommand !== undefined) entry.fixCommand = fixCommand;
    entries.set(code!.trim(), entry);
  }
  return entries;
}

const seed = parseSeedPage(readFileSync(new URL('../fixtures/error-codes.seed.txt', import.meta.url), 'utf8'));
const seedCodes = [...seed.keys()];
const catalogCodes = Object.keys(ERROR_CATALOG) as RakomiErrorCode[];
const extensionCodes = catalogCodes.filter((code) => 'extension' in ERROR_CATALOG[code]);

describe('ERROR_CATALOG', () => {
  it('holds the 22 published codes and the extensions', () => {
    expect(seedCodes).toHaveLength(22);
    expect(catalogCodes.filter((code) => !extensionCodes.includes(code)).sort()).toEqual([...seedCodes].sort());
    expect(extensionCodes.sort()).toEqual(
      [
        'config/invalid_option',
        'config/invalid_webhook_secret',
        'token/invalid_audience',
        'webhook/replay_store_unavailable',
        'webhook/unsupported_media_type',
        'webhook/raw_body_unavailable',
        'access/tenant_mismatch',
        'access/insufficient_claims',
      ].sort(),
    );
  });

  it.each(seedCodes)('reproduces %s exactly as published', (code) => {
    const published = seed.get(code)!;
    const entry: { message: string; suggestion: string; fixCommand?: string } = ERROR_CATALOG[code as RakomiErrorCode];
    expect({ message: entry.message, suggestion: entry.suggestion, fixCommand: entry.fixCommand }).toEqual({
      fixCommand: undefined,
      ...published,
    });
  });

  it.each([
    ['token/missing', 401],
    ['token/expired', 401],
    ['token/invalid_signature', 401],
    ['token/malformed', 401],
    ['token/invalid_algorithm', 401],
    ['token/missing_claims', 401],
    ['token/invalid_issuer', 401],
    ['token/invalid_audience', 401],
    ['token/not_yet_valid', 401],
    ['jwks/no_matching_key', 401],
    ['token/internal_error', 500],
    ['jwks/fetch_failed', 503],
    ['jwks/invalid_response', 503],
    ['webhook/missing_header', 400],
    ['webhook/invalid_body', 400],
    ['webhook/invalid_signature', 400],
    ['webhook/timestamp_expired', 400],
    ['webhook/replay_store_unavailable', 503],
    ['webhook/unsupported_media_type', 415],
    ['webhook/raw_body_unavailable', 500],
    ['config/missing_api_key', 500],
    ['config/invalid_base_url', 500],
    ['config/missing_webhook_secret', 500],
    ['config/invalid_webhook_secret', 500],
    ['config/invalid_option', 500],
    ['auth/token_expired', 401],
    ['auth/invalid_credentials', 401],
    ['auth/email_not_verified', 403],
    ['access/tenant_mismatch', 403],
    ['access/insufficient_claims', 403],
  ] as const)('maps %s to HTTP %i', (code, status) => {
    expect(ERROR_CATALOG[code].status).toBe(status);
    expect(new RakomiError(code).status).toBe(status);
  });
});

describe('RakomiError', () => {
  it('carries the catalog texts, docs URL and snake_case JSON', () => {
    const error = new RakomiError('token/not_yet_valid');
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('RakomiError');
    expect(error.message).toBe('Token nbf (not before) is in the future');
    expect(error.docsUrl).toBe('https://rakomi.com/docs/errors/token/not_yet_valid');
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      code: 'token/not_yet_valid',
      message: 'Token nbf (not before) is in the future',
      suggestion: 'Check system clock synchronization or increase clockTolerance in SDK config',
      docs_url: 'https://rakomi.com/docs/errors/token/not_yet_valid',
      fix_command: 'new RakomiClient({ apiKey: "...", clockTolerance: 60 })',
    });
  });

  it('omits fix_command where the catalog has none', () => {
    expect(new RakomiError('token/expired').toJSON()).not.toHaveProperty('fix_command');
  });

  it('keeps the cause for logs but never serialises it', () => {
    const cause = new Error('connect ECONNREFUSED 127.0.0.1:4321 password=hunter2');
    const error = new RakomiError('jwks/fetch_failed', { cause, fixCommand: 'curl http://127.0.0.1:4321/.well-known/jwks.json' });
    expect(error.cause).toBe(cause);
    const json = JSON.stringify(error);
    expect(json).not.toMatch(/ECONNREFUSED|hunter2|stack|cause/);
    expect(error.fixCommand).toBe('curl http://127.0.0.1:4321/.well-known/jwks.json');
  });

  it('lets a raising site override the status and retry hint', () => {
    const error = new RakomiError('webhook/invalid_body', { status: 413, retryAfter: 7 });
    expect([error.status, error.retryAfter]).toEqual([413, 7]);
    expect(error.message).toBe('Webhook body is not valid JSON');
  });

  it('names the option in config/invalid_option messages', () => {
    expect(new RakomiError('config/invalid_option', { detail: 'jwks.timeout' }).message).toBe('Invalid SDK option: jwks.timeout');
  });
});

describe('isRakomiError', () => {
  it.each([
    [new RakomiError('token/expired'), true],
    [Object.assign(new Error('x'), { name: 'RakomiError', code: 'token/expired' }), true],
    [Object.assign(new Error('x'), { name: 'RakomiError', code: 'token/made_up' }), false],
    [new Error('token/expired'), false],
    [{ code: 'token/expired' }, false],
    [null, false],
    ['token/expired', false],
  ])('recognises %p → %p', (value, expected) => {
    expect(isRakomiError(value)).toBe(expected);
  });
});
