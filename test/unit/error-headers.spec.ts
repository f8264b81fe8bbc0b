// The HTTP headers an error owes, for framework-free users (`RakomiClient`) as for the Nest filter.
import { DEFAULT_RETRY_AFTER_SECONDS } from '../../lib/errors/error-headers.js';
import { RakomiError } from '../../lib/errors/rakomi.error.js';
import { RakomiClient } from '../../lib/client/rakomi.client.js';

const REALM = 'api';

describe('RakomiError.headers(realm)', () => {
  it('token/missing: the bare challenge, no error attribute', () => {
    expect(new RakomiError('token/missing').headers(REALM)).toEqual({
      'Cache-Control': 'no-store',
      'WWW-Authenticate': 'Bearer realm="api"',
    });
  });

  it('a bad token: error="invalid_token" with the catalog message as description', () => {
    const error = new RakomiError('token/expired', { detail: 'not in the header' });
    const challenge = error.headers(REALM)['WWW-Authenticate'];
    expect(challenge).toBe(`Bearer realm="api", error="invalid_token", error_description="${new RakomiError('token/expired').message}"`);
    expect(challenge).not.toContain('not in the header');
  });

  it('several Authorization headers (400 token/malformed): error="invalid_request"', () => {
    const challenge = new RakomiError('token/malformed', { status: 400 }).headers(REALM)['WWW-Authenticate'];
    expect(challenge).toMatch(/^Bearer realm="api", error="invalid_request", error_description="/);
  });

  it('a realm with quotes, backslashes and control characters stays one quoted-string', () => {
    expect(new RakomiError('token/missing').headers('a"b\\c\r\nd')['WWW-Authenticate']).toBe('Bearer realm="a\\"b\\\\c  d"');
  });

  it('503: Retry-After from the error, rounded up, or the default when it names none; no challenge', () => {
    expect(new RakomiError('jwks/fetch_failed', { retryAfter: 6.2 }).headers(REALM)).toEqual({
      'Cache-Control': 'no-store',
      'Retry-After': '7',
    });
    expect(new RakomiError('webhook/replay_store_unavailable').headers(REALM)['Retry-After']).toBe(String(DEFAULT_RETRY_AFTER_SECONDS));
  });

  it('webhook errors carry no challenge', () => {
    expect(new RakomiError('webhook/invalid_signature').headers(REALM)).toEqual({ 'Cache-Control': 'no-store' });
  });

  it('a RakomiClient user gets the challenge without Nest', async () => {
    const client = new RakomiClient({
      apiKey: 'k',
      baseUrl: 'http://127.0.0.1:9',
      audience: null,
      logger: false,
      realm: REALM,
      jwks: { preload: false },
    });
    try {
      const error = await client.verifyToken('not-a-token').then(
        () => undefined,
        (reason: unknown) => reason as RakomiError,
      );
      expect(error?.code).toBe('token/malformed');
      expect(error?.headers(client.options.realm)['WWW-Authenticate']).toMatch(/^Bearer realm="api", error="invalid_token"/);
    } finally {
      client.close();
    }
  });
});
