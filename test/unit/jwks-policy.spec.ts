// Reliability R-01..R-07, J-30..J-34, T-50 (security-cases.md §7): single-flight, stale-if-error,
// backoff, refresh-ahead, rotation and the unknown-kid refetch budget, against a real JWKS server.
// JWKS timing runs on real time with short durations; token claims use the frozen clock.
import { randomBytes } from 'node:crypto';
import type { RakomiModuleOptions } from '../../lib/options/rakomi-options.interface.js';
import type { RakomiTestIssuer } from '../../lib/testing/index.js';
import type { TokenService } from '../../lib/token/token.service.js';
import { CapturingLogger, codeOf, failure, serviceFor, sleep, startIssuer } from '../support/token-harness.js';

let issuer: RakomiTestIssuer;
const services: TokenService[] = [];

beforeAll(async () => {
  issuer = await startIssuer();
});

afterEach(() => {
  for (const service of services.splice(0)) service.close();
  issuer.reset();
});

afterAll(async () => {
  await issuer.close();
});

function fresh(overrides: Partial<RakomiModuleOptions> = {}): { service: TokenService; logger: CapturingLogger } {
  const made = serviceFor(issuer, { tokenCache: false, ...overrides });
  services.push(made.service);
  return made;
}

/** A well-formed RS256 token naming a random, unpublished kid (fails at key lookup). */
function unknownKidToken(): string {
  return issuer.signJws({ alg: 'RS256', kid: `rk-${randomBytes(6).toString('hex')}` }, issuer.claims(), { alg: 'none' });
}

async function codes(promises: Promise<unknown>[]): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const result of await Promise.allSettled(promises)) {
    const code = result.status === 'fulfilled' ? 'ok' : (result.reason as { code: string }).code;
    counts.set(code, (counts.get(code) ?? 0) + 1);
  }
  return counts;
}

describe('single-flight', () => {
  it('R-01 / T-00 1000 concurrent verifications on a cold cache → exactly 1 fetch, all verified', async () => {
    issuer.fault({ delayMs: 100 });
    const { service } = fresh();
    const token = issuer.token();
    const results = await codes(Array.from({ length: 1000 }, () => service.verify(token)));
    expect(results).toEqual(new Map([['ok', 1000]]));
    expect(issuer.hits).toBe(1);
  });

  it('T-00b the same token verified 10 000 times → still 1 fetch', async () => {
    const { service } = fresh({ tokenCache: {} });
    const token = issuer.token();
    for (let i = 0; i < 10_000; i++) await service.verify(token);
    expect(issuer.hits).toBe(1);
  });

  it('J-30 cold cache, endpoint down: 1000 concurrent → 1 fetch, all jwks/fetch_failed with Retry-After', async () => {
    issuer.fault({ status: 503 });
    const { service } = fresh();
    const token = issuer.token();
    const settled = await Promise.allSettled(Array.from({ length: 1000 }, () => service.verify(token)));
    expect(issuer.hits).toBe(1);
    for (const result of settled) {
      expect(result.status).toBe('rejected');
      const error = (result as PromiseRejectedResult).reason as { code: string; retryAfter: number };
      expect(error.code).toBe('jwks/fetch_failed');
      expect(error.retryAfter).toBeGreaterThanOrEqual(1);
    }
  });

  it('R-07 / J-31 a slow JWKS inside the timeout: every waiter succeeds off one fetch', async () => {
    issuer.fault({ delayMs: 300 });
    const { service } = fresh({ jwks: { timeout: 0.6 } });
    const token = issuer.token();
    const results = await codes(Array.from({ length: 200 }, () => service.verify(token)));
    expect(results).toEqual(new Map([['ok', 200]]));
    expect(issuer.hits).toBe(1);
  });
});

describe('stale-if-error and backoff', () => {
  it('R-02 endpoint down while the cache is fresh → no fetch, all verified', async () => {
    const { service } = fresh();
    const token = issuer.token();
    await service.verify(token);
    issuer.fault({ status: 503 });
    const results = await codes(Array.from({ length: 100 }, () => service.verify(token)));
    expect(results).toEqual(new Map([['ok', 100]]));
    expect(issuer.hits).toBe(1);
  });

  it('R-03 past cacheMaxAge with failing refreshes: known keys verify within maxStale, then jwks/fetch_failed', async () => {
    const { service, logger } = fresh({ jwks: { cacheMaxAge: 0.3, maxStale: 0.5, timeout: 0.2 } });
    const token = issuer.token();
    const started = performance.now();
    await service.verify(token);
    issuer.fault({ status: 503, body: 'password=hunter2' });

    // Stale window: 0.3 s .. 0.8 s after the fetch. Sequential requests must not hammer the endpoint.
    await sleep(350 - (performance.now() - started));
    let served = 0;
    while (performance.now() - started < 700) {
      await expect(codeOf(service.verify(token))).resolves.toBe('ok');
      served++;
      await sleep(5);
    }
    expect(served).toBeGreaterThan(20);
    expect(issuer.hits).toBeLessThanOrEqual(3);
    expect(logger.count('serving stale JWKS')).toBe(1);

    // Past maxStale: the stale set is no longer used.
    await sleep(950 - (performance.now() - started));
    const error = await failure(service.verify(token));
    expect(error.code).toBe('jwks/fetch_failed');
    expect(error.retryAfter).toBeGreaterThanOrEqual(1);
    expect(logger.count('serving stale JWKS')).toBe(1);
    expect(logger.count('JWKS fetch failed')).toBe(1);
    expect(logger.text).not.toContain('hunter2');
    expect(logger.text).not.toContain(token);

    // Recovery through reload(): verifying again, and the recovery is logged.
    issuer.fault();
    await service.reload();
    await expect(codeOf(service.verify(token))).resolves.toBe('ok');
    expect(logger.count('JWKS refreshed')).toBe(1);
  });

  it('R-03 cold and down: sequential requests fail fast without refetching until the backoff ends', async () => {
    issuer.fault({ status: 500 });
    const { service } = fresh();
    const token = issuer.token();
    for (let i = 0; i < 20; i++) await expect(codeOf(service.verify(token))).resolves.toBe('jwks/fetch_failed');
    expect(issuer.hits).toBe(1);
    issuer.fault();
    // The first backoff is 0.5–1 s (1 s with equal jitter): after it, one request refetches and succeeds.
    await sleep(1050);
    await expect(codeOf(service.verify(token))).resolves.toBe('ok');
    expect(issuer.hits).toBe(2);
  });

  it('a failed refresh never replaces the last good set (invalid body, then fresh again)', async () => {
    const { service } = fresh({ jwks: { cacheMaxAge: 0.15, maxStale: 60 } });
    const token = issuer.token();
    await service.verify(token);
    issuer.fault({ status: 200, body: '{"keys":[]}' });
    await sleep(250);
    expect(issuer.hits).toBeGreaterThanOrEqual(2);
    await expect(codeOf(service.verify(token))).resolves.toBe('ok');
  });
});

describe('refresh-ahead', () => {
  it('R-04 a slow endpoint never delays requests once warm; the set is refreshed in the background', async () => {
    const { service } = fresh({ jwks: { cacheMaxAge: 0.3, timeout: 2 } });
    const token = issuer.token();
    await service.verify(token);
    issuer.fault({ delayMs: 400 });
    let slowest = 0;
    const started = performance.now();
    while (performance.now() - started < 800) {
      const t0 = performance.now();
      await expect(codeOf(service.verify(token))).resolves.toBe('ok');
      slowest = Math.max(slowest, performance.now() - t0);
      await sleep(5);
    }
    // Well under the endpoint's 400 ms: nobody waited on the network (margin for loaded CI machines).
    expect(slowest).toBeLessThan(150);
    expect(issuer.hits).toBeGreaterThanOrEqual(2);
    expect(issuer.hits).toBeLessThanOrEqual(3);
  });

  it('close() stops background refreshes; the keys already fetched keep verifying', async () => {
    const { service } = fresh({ jwks: { cacheMaxAge: 0.1 } });
    const token = issuer.token();
    await service.verify(token);
    service.close();
    await sleep(300);
    expect(issuer.hits).toBe(1);
    await expect(codeOf(service.verify(token))).resolves.toBe('ok');
  });
});

describe('R-05 / J-32 / J-34 rotation', () => {
  it('pre-published: K2 appears in the JWKS before use → zero failures, no unknown-kid refetch', async () => {
    const { service } = fresh({ jwks: { cacheMaxAge: 0.3, cooldown: 0.2 } });
    await service.verify(issuer.token());
    const K2 = issuer.createKey({ kid: 'rk-2' });
    issuer.publish(K2);
    const started = performance.now();
    while (performance.now() - started < 600) {
      await expect(codeOf(service.verify(issuer.token()))).resolves.toBe('ok');
      await sleep(10);
    }
    const hits = issuer.hits;
    issuer.signWith(K2);
    await expect(codeOf(service.verify(issuer.token()))).resolves.toBe('ok');
    await expect(codeOf(service.verify(issuer.token({}, { kid: 'rk-1' })))).resolves.toBe('token/invalid_signature');
    expect(issuer.hits).toBe(hits);
  });

  it('abrupt: failures only within the cooldown after the last fetch, then one fetch and recovery', async () => {
    const { service } = fresh({ jwks: { cooldown: 0.3 } });
    const K2 = issuer.createKey({ kid: 'rk-2' });
    const old = issuer.token();
    const fresh2 = issuer.token({}, { key: K2 });
    const t0 = performance.now();
    await service.verify(old);
    // Abrupt rotation: K1 disappears, K2 signs from now on.
    issuer.unpublish('rk-1');
    issuer.publish(K2);
    issuer.signWith(K2);
    let recoveredAt = 0;
    let failures = 0;
    while (recoveredAt === 0) {
      const code = await codeOf(service.verify(fresh2));
      if (code === 'ok') recoveredAt = performance.now() - t0;
      else {
        expect(code).toBe('jwks/no_matching_key');
        failures++;
        await sleep(10);
      }
    }
    expect(failures).toBeGreaterThan(0);
    expect(recoveredAt).toBeGreaterThanOrEqual(290);
    expect(recoveredAt).toBeLessThan(600);
    expect(issuer.hits).toBe(2);
    // The retired key is gone from the refreshed set.
    await expect(codeOf(service.verify(old))).resolves.toBe('jwks/no_matching_key');
    expect(issuer.hits).toBe(2);
  });

  it('J-34 revocation: rk-1 verifies until the set refreshes; reload() makes it immediate', async () => {
    const { service } = fresh();
    const token = issuer.token();
    await service.verify(token);
    issuer.rotate();
    await expect(codeOf(service.verify(token))).resolves.toBe('ok');
    await service.reload();
    await expect(codeOf(service.verify(token))).resolves.toBe('jwks/no_matching_key');
    await expect(codeOf(service.verify(issuer.token()))).resolves.toBe('ok');
    expect(issuer.hits).toBe(2);
  });
});

describe('R-06 / T-50 unknown-kid refetch budget', () => {
  it('healthy endpoint: a flood within the cooldown costs 0 fetches, after it exactly 1; legit traffic unaffected', async () => {
    const { service, logger } = fresh({ jwks: { cooldown: 0.5 } });
    const good = issuer.token();
    await service.verify(good);

    const first = await codes([...Array.from({ length: 1000 }, () => service.verify(unknownKidToken())), service.verify(good)]);
    expect(first).toEqual(new Map([['jwks/no_matching_key', 1000], ['ok', 1]]));
    expect(issuer.hits).toBe(1);
    expect(logger.count('refetch budget exhausted')).toBe(1);

    await sleep(520);
    const burst = performance.now();
    const second = await codes(Array.from({ length: 1000 }, () => service.verify(unknownKidToken())));
    expect(second).toEqual(new Map([['jwks/no_matching_key', 1000]]));
    expect(issuer.hits).toBe(2);
    // Sequential unknown kids for the rest of this cooldown: no further fetch.
    while (performance.now() - burst < 350) {
      await expect(codeOf(service.verify(unknownKidToken()))).resolves.toBe('jwks/no_matching_key');
      await expect(codeOf(service.verify(good))).resolves.toBe('ok');
    }
    expect(issuer.hits).toBe(2);
    expect(logger.count('refetch budget exhausted')).toBe(2);
  });

  it('endpoint down: the failed refetch starts the cooldown too; unknown kids → jwks/fetch_failed, known kids verify', async () => {
    const { service } = fresh({ jwks: { cooldown: 0.3 } });
    const good = issuer.token();
    await service.verify(good);
    issuer.fault({ status: 503, headers: { 'Retry-After': '7' } });
    await sleep(320);

    const first = await failure(service.verify(unknownKidToken()));
    expect(first.code).toBe('jwks/fetch_failed');
    expect(first.retryAfter).toBe(7);
    expect(issuer.hits).toBe(2);
    for (let i = 0; i < 50; i++) {
      const error = await failure(service.verify(unknownKidToken()));
      expect(error.code).toBe('jwks/fetch_failed');
      expect(error.retryAfter).toBeGreaterThanOrEqual(1);
      expect(error.retryAfter).toBeLessThanOrEqual(7);
      await expect(codeOf(service.verify(good))).resolves.toBe('ok');
    }
    // Even after the cooldown, Retry-After (7 s) keeps the endpoint quiet.
    await sleep(320);
    await expect(codeOf(service.verify(unknownKidToken()))).resolves.toBe('jwks/fetch_failed');
    expect(issuer.hits).toBe(2);
  });

  it('cold cache: an unknown kid costs the first fetch, the next unknown kid none', async () => {
    const { service } = fresh();
    await expect(codeOf(service.verify(unknownKidToken()))).resolves.toBe('jwks/no_matching_key');
    await expect(codeOf(service.verify(unknownKidToken()))).resolves.toBe('jwks/no_matching_key');
    expect(issuer.hits).toBe(1);
    await expect(codeOf(service.verify(issuer.token()))).resolves.toBe('ok');
    expect(issuer.hits).toBe(1);
  });
});
