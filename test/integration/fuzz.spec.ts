// Property tests of TokenService (issue 6): arbitrary Authorization headers, tokens made of random
// segments, and valid tokens mutated (flipped, swapped, re-encoded, padded, truncated, re-serialised
// members, segments mixed across tokens). Invariant: the outcome is a catalog RakomiError (or the
// claims, only for a genuinely valid token), settles without hanging, never token/internal_error,
// never echoes the token or a claim value, and never costs a JWKS fetch after the warm one.
// Runs: FUZZ_RUNS (default 300) per property; FUZZ_SEED replays a failure.
import fc from 'fast-check';
import { RakomiError, TokenService, type RakomiClaims, type RakomiErrorCode } from '@rakomi/nestjs';
import type { RakomiTestIssuer } from '@rakomi/nestjs/testing';
import { resolveOptions } from '../../lib/options/resolve-options.js';
import {
  FUZZ_RUNS,
  authorizationValue,
  bearerCredential,
  expectCatalogError,
  fuzzParameters,
  fuzzTimeout,
  mutatedToken,
  randomToken,
  tokenLeaks,
  withDeadline,
} from '../support/fault-fuzz.js';
import { CapturingLogger, startIssuer } from '../support/token-harness.js';

const TIMEOUT = fuzzTimeout(FUZZ_RUNS, 2);

const CLAIMS = {
  sub: 'usr_FUZZ_canary',
  tenant_id: 'ten_FUZZ_canary',
  email: 'fuzz.canary@example.com',
  sid: 'ses_FUZZ_canary',
  note: 'CLAIM_FUZZ_canary',
};

let issuer: RakomiTestIssuer;
const services: TokenService[] = [];
/** Valid tokens (two keys published), and their claims. */
let pool: string[];
const claimsOf = new Map<string, Record<string, unknown>>();

beforeAll(async () => {
  issuer = await startIssuer();
  const K2 = issuer.createKey({ kid: 'rk-2' });
  issuer.publish(K2);
  pool = [];
  for (const key of [issuer.currentKey, K2]) {
    for (let i = 0; i < 2; i++) {
      const claims = issuer.claims({ ...CLAIMS, sub: `${CLAIMS.sub}_${key.kid}_${i}` });
      const token = issuer.signJws({ alg: 'RS256', typ: 'JWT', kid: key.kid }, claims, { key });
      pool.push(token);
      claimsOf.set(token, claims);
    }
  }
});

afterAll(async () => {
  for (const service of services) service.close();
  await issuer?.close();
});

/** A warmed service (1 fetch) whose unknown-kid budget never refills during the run. */
async function warmService(tokenCache: boolean): Promise<{ service: TokenService; logger: CapturingLogger }> {
  const logger = new CapturingLogger();
  const service = new TokenService(
    resolveOptions(issuer.moduleOptions({ logger, ...(tokenCache ? {} : { tokenCache: false }), jwks: { cooldown: 3_600, timeout: 1 } })),
  );
  services.push(service);
  issuer.resetHits();
  await service.verify(pool[0]!);
  expect(issuer.hits).toBe(1);
  return { service, logger };
}

const allowedCode = (code: RakomiErrorCode): boolean =>
  (code.startsWith('token/') && code !== 'token/internal_error') || code === 'jwks/no_matching_key';

/** Settles one verification and checks the invariant; `valid` is the token a success must be. */
async function check(attempt: Promise<RakomiClaims>, valid: string | undefined, sent: string): Promise<void> {
  let claims: RakomiClaims | undefined;
  let error: unknown;
  try {
    claims = await withDeadline(attempt, 2_000, 'a verification');
  } catch (caught) {
    error = caught;
  }
  if (claims !== undefined) {
    if (valid === undefined || !claimsOf.has(valid))
      throw new Error(`accepted a token that is not genuinely valid: ${JSON.stringify(sent)}`);
    expect(claims).toEqual(claimsOf.get(valid));
    return;
  }
  if (error instanceof Error && error.message.includes('did not settle')) throw error;
  const rakomi = expectCatalogError(error, allowedCode);
  if (valid !== undefined && claimsOf.has(valid)) throw new Error(`a genuinely valid token was rejected with ${rakomi.code}`);
  const visible = `${rakomi.message}\n${JSON.stringify(rakomi.toJSON())}`;
  for (const leak of [...tokenLeaks(sent), ...Object.values(CLAIMS)]) {
    if (visible.includes(leak)) throw new Error(`the error echoes ${leak.slice(0, 12)}…`);
  }
}

describe.each([
  ['with the verified-token cache', true],
  ['without the cache', false],
])('TokenService under random input, %s', (_name, tokenCache) => {
  let service: TokenService;
  let logger: CapturingLogger;

  beforeAll(async () => {
    ({ service, logger } = await warmService(tokenCache));
  });

  afterAll(() => {
    // No fetch beyond the warm one, and nothing secret in what the service logged.
    expect(issuer.hits).toBe(1);
    for (const leak of [...pool.flatMap(tokenLeaks), ...Object.values(CLAIMS)]) expect(logger.text).not.toContain(leak);
    expect(logger.entries.every((entry) => entry.level === 'warn' && entry.message.startsWith('JWKS refetch budget exhausted'))).toBe(true);
  });

  it(
    'verify(): mutated valid tokens → the claims only when unchanged, else a catalog error',
    async () => {
      await fc.assert(
        fc.asyncProperty(mutatedToken(pool), async (token) => {
          await check(service.verify(token), claimsOf.has(token) ? token : undefined, token);
        }),
        fuzzParameters(FUZZ_RUNS),
      );
    },
    TIMEOUT,
  );

  it(
    'verify(): tokens made of random segments → a catalog error',
    async () => {
      await fc.assert(
        fc.asyncProperty(randomToken, async (token) => {
          await check(service.verify(token), claimsOf.has(token) ? token : undefined, token);
        }),
        fuzzParameters(FUZZ_RUNS),
      );
    },
    TIMEOUT,
  );

  it(
    'verifyAuthorizationHeader(): arbitrary values (and repeated headers) → claims only for "Bearer <valid token>"',
    async () => {
      const header = fc.oneof(
        { weight: 8, arbitrary: authorizationValue(pool) },
        { weight: 1, arbitrary: fc.array(authorizationValue(pool), { minLength: 0, maxLength: 3 }) },
        { weight: 1, arbitrary: fc.constantFrom(undefined, null, 42, {}, ['Bearer x'], [pool[0]!]) },
      );
      await fc.assert(
        fc.asyncProperty(header, async (value) => {
          const single = Array.isArray(value) ? (value.length === 1 ? value[0] : undefined) : value;
          const credential = typeof single === 'string' ? bearerCredential(single) : undefined;
          const attempt = service.verifyAuthorizationHeader(value as string | string[] | undefined);
          if (Array.isArray(value) && value.length > 1) {
            const error = await attempt.then(
              () => undefined,
              (caught: unknown) => caught,
            );
            expect(error).toBeInstanceOf(RakomiError);
            expect([(error as RakomiError).code, (error as RakomiError).status]).toEqual(['token/malformed', 400]);
            return;
          }
          await check(attempt, credential, typeof single === 'string' ? single : '');
        }),
        fuzzParameters(FUZZ_RUNS),
      );
    },
    TIMEOUT,
  );
});
