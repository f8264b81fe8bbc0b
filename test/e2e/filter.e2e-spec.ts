import { Controller, Get, Module, Query } from '@nestjs/common';
import request from 'supertest';
import { ERROR_CATALOG, Public, RakomiError, RakomiModule, type RakomiErrorCode } from '@rakomi/nestjs';
import { ADAPTERS, startApp, type StartedApp } from '../support/app-harness.js';

const CODES = Object.keys(ERROR_CATALOG) as RakomiErrorCode[];
const REALM = 'acme-api';

/** 401 codes answered with `error="invalid_token"` (RFC 6750 §3.1) and the catalog message. */
const INVALID_TOKEN: RakomiErrorCode[] = [
  'token/expired',
  'token/invalid_signature',
  'token/malformed',
  'token/invalid_algorithm',
  'token/missing_claims',
  'token/invalid_issuer',
  'token/invalid_audience',
  'token/not_yet_valid',
  'jwks/no_matching_key',
  'auth/token_expired',
];
/** 401 codes answered with a bare challenge: the request carried no (token) credentials. */
const BARE_CHALLENGE: RakomiErrorCode[] = ['token/missing', 'auth/invalid_credentials'];
/** 403 codes of the authorization layer: RFC 6750 §3.1 `insufficient_scope`. */
const INSUFFICIENT_SCOPE: RakomiErrorCode[] = ['access/tenant_mismatch', 'access/insufficient_claims'];

const CAUSE_CANARY = 'password=hunter2 at 10.9.8.7:6379';

@Public()
@Controller('throw')
class ThrowingController {
  @Get()
  throwIt(
    @Query('code') code: string,
    @Query('status') status?: string,
    @Query('retryAfter') retryAfter?: string,
    @Query('cause') cause?: string,
  ): never {
    throw new RakomiError(code as RakomiErrorCode, {
      ...(status === undefined ? {} : { status: Number(status) }),
      ...(retryAfter === undefined ? {} : { retryAfter: Number(retryAfter) }),
      ...(cause === undefined ? {} : { cause: new Error(CAUSE_CANARY) }),
    });
  }

  @Get('plain')
  plain(): never {
    throw new Error('not a Rakomi error');
  }
}

@Module({
  imports: [RakomiModule.forRoot({ apiKey: 'akm_test_local', audience: null, baseUrl: 'http://127.0.0.1:9', realm: REALM })],
  controllers: [ThrowingController],
})
class FilterAppModule {}

describe.each(ADAPTERS)('RakomiExceptionFilter on %s', (adapter) => {
  let started: StartedApp;

  beforeAll(async () => {
    started = await startApp(adapter, FilterAppModule);
  });
  afterAll(async () => {
    await started?.close();
  });

  it('knows the challenge kind of every 401 code in the catalog', () => {
    const unauthorized = CODES.filter((code) => ERROR_CATALOG[code].status === 401);
    expect([...unauthorized].sort()).toEqual([...INVALID_TOKEN, ...BARE_CHALLENGE].sort());
  });

  it.each(CODES)('%s → catalog status, exact body and headers', async (code) => {
    const res = await request(started.server).get('/throw').query({ code });
    const expected = new RakomiError(code);

    expect(res.status).toBe(ERROR_CATALOG[code].status);
    expect(res.body).toStrictEqual({ statusCode: ERROR_CATALOG[code].status, ...expected.toJSON() });
    expect(Object.keys(res.body).sort()).toEqual(
      ['statusCode', 'code', 'message', 'suggestion', 'docs_url', ...(expected.fixCommand ? ['fix_command'] : [])].sort(),
    );
    expect(res.body.docs_url).toBe(`https://rakomi.com/docs/errors/${code}`);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['cache-control']).toBe('no-store');

    const challenge = res.headers['www-authenticate'];
    if (INVALID_TOKEN.includes(code)) {
      expect(challenge).toBe(`Bearer realm="${REALM}", error="invalid_token", error_description="${ERROR_CATALOG[code].message}"`);
    } else if (BARE_CHALLENGE.includes(code)) {
      expect(challenge).toBe(`Bearer realm="${REALM}"`);
    } else if (INSUFFICIENT_SCOPE.includes(code)) {
      expect(challenge).toBe(`Bearer realm="${REALM}", error="insufficient_scope", error_description="${ERROR_CATALOG[code].message}"`);
    } else {
      expect(challenge).toBeUndefined();
    }

    if (ERROR_CATALOG[code].status === 503) expect(res.headers['retry-after']).toBe('5');
    else expect(res.headers['retry-after']).toBeUndefined();
  });

  it('uses the error’s retryAfter on a 503 (rounded up to whole seconds)', async () => {
    const res = await request(started.server).get('/throw').query({ code: 'jwks/fetch_failed', retryAfter: '16.2' });
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('17');
  });

  it('answers duplicate Authorization headers (token/malformed, status 400) with error="invalid_request"', async () => {
    const res = await request(started.server).get('/throw').query({ code: 'token/malformed', status: '400' });
    expect(res.status).toBe(400);
    expect(res.body).toStrictEqual({ statusCode: 400, ...new RakomiError('token/malformed').toJSON() });
    expect(res.headers['www-authenticate']).toBe(
      `Bearer realm="${REALM}", error="invalid_request", error_description="${ERROR_CATALOG['token/malformed'].message}"`,
    );
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('honours a status override without a challenge for non-token codes (413 oversized webhook)', async () => {
    const res = await request(started.server).get('/throw').query({ code: 'webhook/invalid_body', status: '413' });
    expect(res.status).toBe(413);
    expect(res.body.statusCode).toBe(413);
    expect(res.headers['www-authenticate']).toBeUndefined();
  });

  it('logs a 5xx with its cause and never sends the cause', async () => {
    started.logs.clear();
    const res = await request(started.server).get('/throw').query({ code: 'token/internal_error', cause: '1' });
    expect(res.status).toBe(500);
    expect(res.text).not.toContain('hunter2');
    expect(res.text).not.toContain('10.9.8.7');
    expect(res.text).not.toMatch(/\n\s+at /);
    const logged = started.logs.entries
      .filter((line) => line.level === 'error')
      .map((line) => line.text)
      .join('\n');
    expect(logged).toContain('token/internal_error');
    expect(logged).toContain(CAUSE_CANARY);
    expect(logged).toContain('GET /throw');
  });

  it('does not log 4xx as errors', async () => {
    started.logs.clear();
    await request(started.server).get('/throw').query({ code: 'token/expired' });
    expect(started.logs.entries.filter((line) => line.level === 'error')).toEqual([]);
  });

  it('leaves other errors to Nest (generic 500, nothing internal)', async () => {
    const res = await request(started.server).get('/throw/plain');
    expect(res.status).toBe(500);
    expect(res.body).toStrictEqual({ statusCode: 500, message: 'Internal server error' });
  });
});
