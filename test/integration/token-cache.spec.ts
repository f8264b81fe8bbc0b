// The verified-token cache: hits, expiry against the `now` option, maxAge, LRU bound, and the
// key check on every hit (a key removed from the JWKS stops verifying once the set refreshes).
import type { RakomiModuleOptions } from '../../lib/options/rakomi-options.interface.js';
import type { RakomiTestIssuer } from '../../lib/testing/index.js';
import type { TokenService } from '../../lib/token/token.service.js';
import type { RakomiError } from '../../lib/errors/rakomi.error.js';
import type { RakomiClaims } from '../../lib/token/rakomi-claims.interface.js';
import { NOW_MS, NOW_S, codeOf, serviceFor, sleep, startIssuer } from '../support/token-harness.js';

let now = NOW_MS;
let issuer: RakomiTestIssuer;
const services: TokenService[] = [];

beforeAll(async () => {
  issuer = await startIssuer({ now: () => now });
});

afterEach(() => {
  now = NOW_MS;
  issuer.reset();
  for (const service of services.splice(0)) service.close();
});

afterAll(async () => {
  await issuer.close();
});

function cached(tokenCache: RakomiModuleOptions['tokenCache'] = {}, jwks: RakomiModuleOptions['jwks'] = {}): TokenService {
  const { service } = serviceFor(issuer, { tokenCache, jwks, now: () => now });
  services.push(service);
  return service;
}

describe('verified-token cache', () => {
  it('a second verification of the same token is a hit (same frozen claims object, no work)', async () => {
    const service = cached();
    const token = issuer.token();
    const first = await service.verify(token);
    await expect(service.verify(token)).resolves.toBe(first);
    await expect(service.verifyAuthorizationHeader(`Bearer ${token}`)).resolves.toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(issuer.hits).toBe(1);
  });

  it('without a cache every verification is done from scratch', async () => {
    const service = cached(false);
    const token = issuer.token();
    const first = await service.verify(token);
    const second = await service.verify(token);
    expect(second).not.toBe(first);
    expect(second).toEqual(first);
  });

  it('a re-encoded variant of a cached token is not served from the cache', async () => {
    const service = cached();
    const token = issuer.token();
    await service.verify(token);
    await expect(codeOf(service.verify(`${token}==`))).resolves.toBe('token/malformed');
    await expect(codeOf(service.verify(`${token.slice(0, -1)}${token.endsWith('B') ? 'C' : 'B'}`))).resolves.toBe('token/malformed');
  });

  it('a hit re-checks exp against the clock: the entry dies with the token', async () => {
    const service = cached();
    const token = issuer.token({ exp: Math.floor(now / 1000) + 60 });
    await service.verify(token);
    now += 64_000;
    await expect(codeOf(service.verify(token))).resolves.toBe('ok');
    now += 2_000; // exp + tolerance (5 s) passed
    await expect(codeOf(service.verify(token))).resolves.toBe('token/expired');
    now -= 2_000; // the entry was dropped: a full verification happens (and passes again)
    await expect(codeOf(service.verify(token))).resolves.toBe('ok');
  });

  it('a hit re-checks nbf/iat: a clock going backwards does not reuse the entry', async () => {
    const service = cached();
    const token = issuer.token();
    await service.verify(token);
    now -= 60_000;
    await expect(codeOf(service.verify(token))).resolves.toBe('token/not_yet_valid');
  });

  it('maxAge bounds reuse: past it, the token is verified again', async () => {
    const service = cached({ maxAge: 10 });
    const token = issuer.token();
    const first = await service.verify(token);
    now += 9_000;
    await expect(service.verify(token)).resolves.toBe(first);
    now += 2_000;
    const again = await service.verify(token);
    expect(again).not.toBe(first);
    expect(again).toEqual(first);
  });

  it('maxEntries bounds memory, least recently used first', async () => {
    const service = cached({ maxEntries: 2 });
    const [a, b, c] = [issuer.token(), issuer.token(), issuer.token()];
    const claimsA = await service.verify(a);
    const claimsB = await service.verify(b);
    await service.verify(a); // a is now more recent than b
    const claimsC = await service.verify(c); // evicts b
    await expect(service.verify(a)).resolves.toBe(claimsA);
    await expect(service.verify(c)).resolves.toBe(claimsC);
    await expect(service.verify(b)).resolves.not.toBe(claimsB);
  });

  it('only successes are cached', async () => {
    issuer.fault({ status: 503 });
    const service = cached();
    const token = issuer.token();
    await expect(codeOf(service.verify(token))).resolves.toBe('jwks/fetch_failed');
    issuer.fault();
    await service.reload();
    await expect(codeOf(service.verify(token))).resolves.toBe('ok');
    const expired = issuer.badToken('expired');
    await expect(codeOf(service.verify(expired))).resolves.toBe('token/expired');
    await expect(codeOf(service.verify(expired))).resolves.toBe('token/expired');
  });
});

describe('the key check on every hit', () => {
  it('a key removed from the JWKS stops verifying cached tokens as soon as the set refreshes', async () => {
    const service = cached();
    const token = issuer.token();
    await service.verify(token);
    issuer.rotate(); // abrupt: rk-1 unpublished
    await expect(codeOf(service.verify(token))).resolves.toBe('ok'); // set not refreshed yet
    await service.reload();
    await expect(codeOf(service.verify(token))).resolves.toBe('jwks/no_matching_key');
  });

  it('a refresh that changes nothing keeps the entries (same key object reused)', async () => {
    const service = cached();
    const token = issuer.token();
    const first = await service.verify(token);
    await service.reload();
    await expect(service.verify(token)).resolves.toBe(first);
    expect(issuer.hits).toBe(2);
  });

  it('a different key published under the same kid invalidates the entries', async () => {
    const service = cached();
    const token = issuer.token();
    await service.verify(token);
    issuer.unpublish('rk-1');
    issuer.publish(issuer.createKey({ kid: 'rk-1' }));
    await service.reload();
    await expect(codeOf(service.verify(token))).resolves.toBe('token/invalid_signature');
  });

  it('cached tokens stop verifying when the key set expires beyond maxStale', async () => {
    const service = cached({}, { cacheMaxAge: 0.1, maxStale: 0.1, timeout: 0.2 });
    const token = issuer.token();
    await service.verify(token);
    issuer.fault({ status: 503 });
    await sleep(300);
    await expect(codeOf(service.verify(token))).resolves.toBe('jwks/fetch_failed');
  });
});

describe('checkAuthorizationHeader: the synchronous path RakomiAuthGuard takes', () => {
  it.each([
    ['token cache on', {}],
    ['token cache off', false],
  ] as const)('%s: a promise only while the key must be fetched, then the claims directly', async (_name, tokenCache) => {
    const service = cached(tokenCache);
    const header = `Bearer ${issuer.token()}`;
    const cold = service.checkAuthorizationHeader(header);
    expect(cold).toBeInstanceOf(Promise);
    const claims = await cold;
    const warm = service.checkAuthorizationHeader(header);
    expect(warm).not.toBeInstanceOf(Promise);
    expect(warm).toEqual(claims);
    expect((warm as RakomiClaims).sub).toBe('usr_123');
  });

  it('throws the catalog error synchronously, for the header, the token and a cached entry that expired', async () => {
    const service = cached();
    const token = issuer.token({ exp: NOW_S + 60 });
    await service.verify(token);
    const thrown = (value: string | undefined): string => {
      try {
        void service.checkAuthorizationHeader(value);
      } catch (error) {
        return (error as RakomiError).code;
      }
      throw new Error('expected a synchronous throw');
    };
    expect(thrown(undefined)).toBe('token/missing');
    expect(thrown(`Bearer ${token}x`)).toBe('token/malformed');
    expect(thrown(`Bearer ${issuer.badToken('bad_signature')}`)).toBe('token/invalid_signature');
    now = (NOW_S + 120) * 1000;
    expect(thrown(`Bearer ${token}`)).toBe('token/expired');
  });
});
