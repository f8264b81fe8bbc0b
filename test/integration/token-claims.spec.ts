// Security cases T-00, T-57..T-79 (test/CASES.md): claim profile, time
// boundaries on a frozen clock, error precedence, internal errors. Every token is validly signed
// by K1 unless the case says otherwise.
import { RakomiError } from '../../lib/errors/rakomi.error.js';
import type { RakomiTestIssuer, TestSigningKey } from '../../lib/testing/index.js';
import type { TokenService } from '../../lib/token/token.service.js';
import {
  CLAIM_CANARIES,
  NOW_S,
  CapturingLogger,
  codeOf,
  expectNoLeak,
  failure,
  serviceFor,
  startIssuer,
} from '../support/token-harness.js';

const T = 5; // default clock tolerance
const L = 86_400; // default maxTokenLifetime
const ISS = 'https://rakomi.com'; // the issuer's default, the SDK's default
const AUD = 'rakomi-test-api';

let issuer: RakomiTestIssuer;
let service: TokenService;
let strict: TokenService; // clockTolerance 0
let anyAudience: TokenService; // audience: null (explicitly any aud)
let KX: TestSigningKey;

beforeAll(async () => {
  issuer = await startIssuer();
  KX = issuer.createKey({ kid: 'ax-1' });
  service = serviceFor(issuer, { tokenCache: false }).service;
  strict = serviceFor(issuer, { tokenCache: false, clockTolerance: 0 }).service;
  anyAudience = serviceFor(issuer, { tokenCache: false, audience: null }).service;
});

afterAll(async () => {
  for (const s of [service, strict, anyAudience]) s.close();
  await issuer.close();
});

/** Claims that replace the defaults entirely (no merge), for absence cases. */
function exactly(claims: Record<string, unknown>): string {
  return issuer.signJws({ alg: 'RS256', typ: 'JWT', kid: 'rk-1' }, claims);
}

async function expectCode(verifier: TokenService, token: string, code: string): Promise<void> {
  const result = await codeOf(verifier.verify(token));
  expect(result).toBe(code);
  if (code !== 'ok') expectNoLeak(await failure(verifier.verify(token)), [token, ...CLAIM_CANARIES]);
}

describe('T-00 positive control', () => {
  it('returns exactly the signed claims (extra claims kept), deeply frozen', async () => {
    const signed = issuer.claims({ jti: 'jti_abc', roles: ['admin'], org: { id: 'org_1' }, aud: ['other-api', issuer.audience] });
    const claims = await service.verify(exactly(signed));
    expect(claims).toEqual(signed);
    expect(Object.isFrozen(claims)).toBe(true);
    expect(Object.isFrozen(claims.aud)).toBe(true);
    expect(Object.isFrozen(claims.org)).toBe(true);
    expect(() => {
      (claims as { sub: string }).sub = 'usr_admin';
    }).toThrow(TypeError);
  });

  it('T-71 duplicate claim members: the last one wins, like JSON.parse', async () => {
    const body = JSON.stringify(issuer.claims({ sub: 'usr_victim' })).replace(/}$/, ',"sub":"usr_attacker"}');
    const claims = await service.verify(issuer.signJws({ alg: 'RS256', kid: 'rk-1' }, body));
    expect(claims.sub).toBe('usr_attacker');
  });

  it('T-73 a large legal payload (5.4 KiB of extra claims: ~8 KiB encoded, just under the cap) verifies', async () => {
    // 6 KiB of claims would encode past the 8192-character cap (base64url adds a third).
    const token = issuer.token({ extra: 'x'.repeat(5500) });
    expect(token.length).toBeGreaterThan(8000);
    expect(token.length).toBeLessThan(8192);
    await expectCode(service, token, 'ok');
  });
});

describe('T-57..T-64 time claims (frozen clock)', () => {
  it.each([
    ['T-57 exp = now - T - 1', 'default', { iat: NOW_S - 900, exp: NOW_S - T - 1 }, 'token/expired'],
    ['T-58 exp = now - T + 1', 'default', { iat: NOW_S - 900, exp: NOW_S - T + 1 }, 'ok'],
    ['T-58 exp = now - T (on the instant)', 'default', { iat: NOW_S - 900, exp: NOW_S - T }, 'token/expired'],
    ['T-58 T=0: exp = now', 'strict', { iat: NOW_S - 900, exp: NOW_S }, 'token/expired'],
    ['T-58 T=0: exp = now + 1', 'strict', { iat: NOW_S - 900, exp: NOW_S + 1 }, 'ok'],
    ['T-62 nbf = now + T + 1', 'default', { nbf: NOW_S + T + 1 }, 'token/not_yet_valid'],
    ['T-62 nbf = now + T', 'default', { nbf: NOW_S + T }, 'ok'],
    ['T-63 iat = now + T + 1', 'default', { iat: NOW_S + T + 1, exp: NOW_S + 900 }, 'token/not_yet_valid'],
    ['iat = now + T', 'default', { iat: NOW_S + T, exp: NOW_S + 900 }, 'ok'],
    ['lifetime exactly L', 'default', { iat: NOW_S - 10, exp: NOW_S - 10 + L }, 'ok'],
    ['lifetime L + 1', 'default', { iat: NOW_S - 10, exp: NOW_S - 10 + L + 1 }, 'token/malformed'],
  ])('%s → %s', async (_name, which, claims, code) => {
    await expectCode(which === 'strict' ? strict : service, issuer.token(claims), code);
  });

  it.each([
    ['T-60 exp "1900000000"', { exp: '1900000000' }],
    ['T-60 exp true', { exp: true }],
    ['T-60 exp {}', { exp: {} }],
    ['T-61 exp in milliseconds', { exp: NOW_S * 1000 + 900_000 }],
    ['T-61 exp and iat in milliseconds', { iat: NOW_S * 1000, exp: NOW_S * 1000 + 900_000 }],
    ['T-61 exp 1e20', { exp: 1e20 }],
    ['T-61 exp 9007199254740993', { exp: 9007199254740993 }],
    ['exp fractional', { exp: NOW_S + 900.5 }],
    ['T-62 nbf "x"', { nbf: 'x' }],
    ['nbf null', { nbf: null }],
    ['T-64 iat negative', { iat: -1 }],
    ['T-64 iat > exp', { iat: NOW_S, exp: NOW_S - 1 }],
    ['T-64 iat string', { iat: String(NOW_S) }],
    ['iat fractional', { iat: NOW_S + 0.5 }],
  ])('%s → token/malformed', async (_name, claims) => {
    await expectCode(service, issuer.token(claims), 'token/malformed');
  });
});

describe('T-64..T-70 presence and types', () => {
  const required = ['sub', 'tenant_id', 'email', 'sid', 'iss', 'aud', 'exp', 'iat', 'jti'];

  it.each(required)('T-68 %s absent → token/missing_claims', async (name) => {
    await expectCode(service, issuer.token({ [name]: undefined }), 'token/missing_claims');
  });

  it.each(required)('T-69 %s null → token/missing_claims', async (name) => {
    await expectCode(service, issuer.token({ [name]: null }), 'token/missing_claims');
  });

  it('T-68 all absent at once → token/missing_claims', async () => {
    await expectCode(service, exactly({}), 'token/missing_claims');
  });

  it.each([
    ['sub ""', { sub: '' }],
    ['jti ""', { jti: '' }],
    ['aud []', { aud: [] }],
    ['email ""', { email: '' }],
  ])('empty value %s → token/missing_claims', async (_name, claims) => {
    await expectCode(service, issuer.token(claims), 'token/missing_claims');
  });

  it.each([
    ['T-70 sub 123', { sub: 123 }],
    ['T-70 tenant_id {"$ne":null}', { tenant_id: { $ne: null } }],
    ['T-70 email 42', { email: 42 }],
    ['T-70 sid ["a","b"]', { sid: ['a', 'b'] }],
    ['jti true', { jti: true }],
    ['T-65 iss as an array', { iss: [ISS] }],
    ['T-67 aud {"x":AUD}', { aud: { x: AUD } }],
    ['aud [AUD, 1]', { aud: [AUD, 1] }],
    ['aud [AUD, ""]', { aud: [AUD, ''] }],
  ])('%s → token/malformed', async (_name, claims) => {
    await expectCode(service, issuer.token(claims), 'token/malformed');
  });

  it('a claim named like an Object.prototype member does not count as present', async () => {
    const claims = issuer.claims();
    delete claims.sub;
    await expectCode(service, exactly({ ...claims, constructor: 'x' }), 'token/missing_claims');
  });
});

describe('T-65..T-67 issuer and audience', () => {
  it.each([
    ['other issuer', 'https://issuer.invalid'],
    ['trailing slash', () => `${issuer.issuer}/`],
    ['http variant', () => issuer.issuer.replace('https:', 'http:')],
    ['upper-cased host', () => issuer.issuer.toUpperCase()],
    ['default port', () => `${issuer.issuer}:443`],
    ['NUL suffix', () => `${issuer.issuer}\u0000`],
  ])('T-65 iss %s → token/invalid_issuer', async (_name, iss) => {
    await expectCode(service, issuer.token({ iss: typeof iss === 'function' ? iss() : iss }), 'token/invalid_issuer');
  });

  it('T-67 aud mismatch → token/invalid_audience; one match in a list suffices', async () => {
    await expectCode(service, issuer.token({ aud: 'other-api' }), 'token/invalid_audience');
    await expectCode(service, issuer.token({ aud: ['other-api', 'third-api'] }), 'token/invalid_audience');
    await expectCode(service, issuer.token({ aud: ['other-api', issuer.audience] }), 'ok');
  });

  it('without an audience option any present aud passes, an absent one does not', async () => {
    await expectCode(anyAudience, issuer.token({ aud: 'whatever-api' }), 'ok');
    await expectCode(anyAudience, issuer.token({ aud: undefined }), 'token/missing_claims');
  });

  it('several configured audiences: any one matches', async () => {
    const { service: multi } = serviceFor(issuer, { audience: ['api-a', issuer.audience] });
    await expectCode(multi, issuer.token({ aud: issuer.audience }), 'ok');
    await expectCode(multi, issuer.token({ aud: ['api-a'] }), 'ok');
    await expectCode(multi, issuer.token({ aud: 'api-b' }), 'token/invalid_audience');
    multi.close();
  });
});

describe('T-74..T-79 error precedence and oracle resistance', () => {
  it('T-74 expired and signed by KX → token/invalid_signature', async () => {
    await expectCode(service, issuer.token({ iat: NOW_S - 5000, exp: NOW_S - 4000 }, { key: KX, kid: 'rk-1' }), 'token/invalid_signature');
  });

  it('T-76 wrong iss and expired → token/invalid_issuer', async () => {
    await expectCode(
      service,
      issuer.token({ iss: 'https://issuer.invalid', iat: NOW_S - 5000, exp: NOW_S - 4000 }),
      'token/invalid_issuer',
    );
  });

  it('T-76 tenant_id missing and expired → token/missing_claims', async () => {
    await expectCode(service, issuer.token({ tenant_id: undefined, iat: NOW_S - 5000, exp: NOW_S - 4000 }), 'token/missing_claims');
  });

  it('wrong audience and expired → token/invalid_audience; wrong type and wrong iss → token/malformed', async () => {
    await expectCode(service, issuer.token({ aud: 'x', iat: NOW_S - 5000, exp: NOW_S - 4000 }), 'token/invalid_audience');
    await expectCode(service, issuer.token({ sub: 1, iss: 'https://issuer.invalid' }), 'token/malformed');
  });

  it('missing claim beats wrong type; expired beats not-yet-valid', async () => {
    await expectCode(service, issuer.token({ sub: 1, sid: undefined }), 'token/missing_claims');
    await expectCode(service, issuer.token({ iat: NOW_S - 5000, exp: NOW_S - 4000, nbf: NOW_S + 100 }), 'token/expired');
  });

  it('T-79 an unexpected failure → token/internal_error (500), logged with its cause, nothing leaked', async () => {
    const cold = await startIssuer();
    const logger = new CapturingLogger();
    const { service: verifier } = serviceFor(cold, { logger });
    const realFetch = globalThis.fetch;
    globalThis.fetch = (() => {
      throw 'a non-Error value from a broken fetch';
    }) as unknown as typeof fetch;
    try {
      const token = cold.token();
      const error = await failure(verifier.verify(token));
      expect(error.code).toBe('token/internal_error');
      expect(error.status).toBe(500);
      expect(error.cause).toBe('a non-Error value from a broken fetch');
      expect(JSON.stringify(error)).not.toContain('broken fetch');
      expectNoLeak(error, [token]);
      expect(logger.text).toContain('unexpectedly');
    } finally {
      globalThis.fetch = realFetch;
      verifier.close();
      await cold.close();
    }
  });

  it('every failure is a RakomiError whose JSON is the documented shape only', async () => {
    const error = await failure(service.verify(issuer.badToken('expired')));
    expect(error).toBeInstanceOf(RakomiError);
    expect(Object.keys(error.toJSON()).sort()).toEqual(['code', 'docs_url', 'message', 'suggestion']);
  });
});
