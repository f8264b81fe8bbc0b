// Reliability R-01..R-07, J-30..J-34, T-50 (test/CASES.md): single-flight, stale-if-error,
// backoff, refresh-ahead, rotation and the unknown-kid refetch budget, against a real JWKS server.
// The store's timing runs on a ManualClock the tests advance (no sleeping: exact, and immune to a
// loaded machine); the fetches themselves are real. Token claims use the frozen clock.
import { randomBytes } from 'node:crypto';
import { resolveOptions } from '../../lib/options/resolve-options.js';
import type { RakomiModuleOptions } from '../../lib/options/rakomi-options.interface.js';
import type { RakomiTestIssuer } from '../../lib/testing/index.js';
import { TokenService } from '../../lib/token/token.service.js';
import { ManualClock } from '../support/manual-clock.js';
import { CapturingLogger, codeOf, failure, startIssuer } from '../support/token-harness.js';

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

interface Store {
  service: TokenService;
  logger: CapturingLogger;
  clock: ManualClock;
  /** Moves the store's clock by `ms` and waits until a fetch that started settles. */
  advance(ms: number): Promise<void>;
}

function fresh(overrides: Partial<RakomiModuleOptions> = {}): Store {
  const logger = new CapturingLogger();
  const clock = new ManualClock();
  const options = issuer.moduleOptions({ logger, tokenCache: false, ...overrides, jwks: { timeout: 0.5, ...overrides.jwks } });
  const service = new TokenService(resolveOptions(options), clock);
  services.push(service);
  return {
    service,
    logger,
    clock,
    async advance(ms) {
      clock.advance(ms);
      await settled(service);
    },
  };
}

/** Waits (on I/O, not on a duration) until no JWKS fetch is in flight. */
async function settled(service: TokenService): Promise<void> {
  while (service.keySetSnapshot().fetching) await new Promise((resolve) => setTimeout(resolve, 1));
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
    const { service, logger, advance } = fresh({ jwks: { cacheMaxAge: 0.3, maxStale: 0.5, timeout: 0.2 } });
    const token = issuer.token();
    await service.verify(token);
    issuer.fault({ status: 503, body: 'password=hunter2' });

    // Stale window: 300 .. 800 ms after the fetch. Sequential requests must not hammer the endpoint.
    await advance(350);
    for (let elapsed = 350; elapsed < 800; elapsed += 5) {
      await expect(codeOf(service.verify(token))).resolves.toBe('ok');
      await advance(5);
    }
    // The refresh-ahead attempt and at most one retry per backoff (0.5–1 s after the first failure).
    expect(issuer.hits).toBeGreaterThanOrEqual(2);
    expect(issuer.hits).toBeLessThanOrEqual(3);
    expect(logger.count('serving stale JWKS')).toBe(1);

    // Past maxStale: the stale set is no longer used.
    await advance(150);
    const error = await failure(service.verify(token));
    expect(error.code).toBe('jwks/fetch_failed');
    expect(error.retryAfter).toBeGreaterThanOrEqual(1);
    expect(logger.count('serving stale JWKS')).toBe(1);
    expect(logger.count('JWKS fetch failed')).toBe(1);
    expect(logger.count('expired beyond maxStale')).toBe(1);
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
    const { service, advance } = fresh();
    const token = issuer.token();
    for (let i = 0; i < 20; i++) await expect(codeOf(service.verify(token))).resolves.toBe('jwks/fetch_failed');
    expect(issuer.hits).toBe(1);
    issuer.fault();
    // The first backoff is 0.5–1 s (1 s with equal jitter): before it, no refetch.
    await advance(499);
    await expect(codeOf(service.verify(token))).resolves.toBe('jwks/fetch_failed');
    expect(issuer.hits).toBe(1);
    // After it, one request refetches and succeeds.
    await advance(501);
    await expect(codeOf(service.verify(token))).resolves.toBe('ok');
    expect(issuer.hits).toBe(2);
  });

  it('a failed refresh never replaces the last good set (invalid body, then fresh again)', async () => {
    const { service, advance } = fresh({ jwks: { cacheMaxAge: 0.15, maxStale: 60 } });
    const token = issuer.token();
    await service.verify(token);
    issuer.fault({ status: 200, body: '{"keys":[]}' });
    await advance(150);
    expect(issuer.hits).toBe(2);
    await expect(codeOf(service.verify(token))).resolves.toBe('ok');
    // Backing off (≥ 0.5 s): the stale requests start no fetch of their own.
    expect(issuer.hits).toBe(2);
  });
});

describe('refresh-ahead', () => {
  it('R-04 a slow endpoint never delays requests once warm; the set is refreshed in the background', async () => {
    const { service, clock } = fresh({ jwks: { cacheMaxAge: 0.3, timeout: 2 } });
    const token = issuer.token();
    await service.verify(token);
    issuer.fault({ delayMs: 400 });
    // The refresh-ahead timer (at 80 % ± 10 % of cacheMaxAge) starts a fetch the endpoint holds.
    clock.advance(270);
    expect(service.keySetSnapshot().fetching).toBe(true);
    let answered = 0;
    while (service.keySetSnapshot().fetching) {
      // Answered on the spot: the claims themselves, not a promise waiting on the network.
      const claims = service.checkAuthorizationHeader(`Bearer ${token}`);
      expect(claims).not.toBeInstanceOf(Promise);
      answered++;
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    expect(answered).toBeGreaterThan(1);
    expect(issuer.hits).toBe(2);
    expect(service.keySetSnapshot().consecutiveFailures).toBe(0);
    expect(service.keySetSnapshot().fetchedAgoMs).toBe(0);
  });

  it('close() stops background refreshes; the keys already fetched keep verifying', async () => {
    const { service, clock, advance } = fresh({ jwks: { cacheMaxAge: 0.1 } });
    const token = issuer.token();
    await service.verify(token);
    expect(clock.pending).toBe(1);
    service.close();
    expect(clock.pending).toBe(0);
    await advance(300);
    expect(issuer.hits).toBe(1);
    await expect(codeOf(service.verify(token))).resolves.toBe('ok');
    await settled(service);
    expect(issuer.hits).toBe(1);
  });
});

describe('R-05 / J-32 / J-34 rotation', () => {
  it('pre-published: K2 appears in the JWKS before use → zero failures, no unknown-kid refetch', async () => {
    const { service, advance } = fresh({ jwks: { cacheMaxAge: 0.3, cooldown: 0.2 } });
    await service.verify(issuer.token());
    const K2 = issuer.createKey({ kid: 'rk-2' });
    issuer.publish(K2);
    for (let elapsed = 0; elapsed < 600; elapsed += 10) {
      await expect(codeOf(service.verify(issuer.token()))).resolves.toBe('ok');
      await advance(10);
    }
    const hits = issuer.hits;
    expect(hits).toBeGreaterThanOrEqual(2);
    issuer.signWith(K2);
    await expect(codeOf(service.verify(issuer.token()))).resolves.toBe('ok');
    await expect(codeOf(service.verify(issuer.token({}, { kid: 'rk-1' })))).resolves.toBe('token/invalid_signature');
    expect(issuer.hits).toBe(hits);
  });

  it('abrupt: failures only within the cooldown after the last fetch, then one fetch and recovery', async () => {
    const { service, advance } = fresh({ jwks: { cooldown: 0.3 } });
    const K2 = issuer.createKey({ kid: 'rk-2' });
    const old = issuer.token();
    const fresh2 = issuer.token({}, { key: K2 });
    await service.verify(old);
    // Abrupt rotation: K1 disappears, K2 signs from now on.
    issuer.unpublish('rk-1');
    issuer.publish(K2);
    issuer.signWith(K2);
    let elapsed = 0;
    for (;;) {
      const code = await codeOf(service.verify(fresh2));
      if (code === 'ok') break;
      expect(code).toBe('jwks/no_matching_key');
      await advance(10);
      elapsed += 10;
    }
    // Exactly when the cooldown that started with the first fetch ends.
    expect(elapsed).toBe(300);
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
    const { service, logger, advance } = fresh({ jwks: { cooldown: 0.5 } });
    const good = issuer.token();
    await service.verify(good);

    const first = await codes([...Array.from({ length: 1000 }, () => service.verify(unknownKidToken())), service.verify(good)]);
    expect(first).toEqual(
      new Map([
        ['jwks/no_matching_key', 1000],
        ['ok', 1],
      ]),
    );
    expect(issuer.hits).toBe(1);
    expect(logger.count('refetch budget exhausted')).toBe(1);

    await advance(499);
    await expect(codeOf(service.verify(unknownKidToken()))).resolves.toBe('jwks/no_matching_key');
    expect(issuer.hits).toBe(1);

    await advance(1);
    const second = await codes(Array.from({ length: 1000 }, () => service.verify(unknownKidToken())));
    expect(second).toEqual(new Map([['jwks/no_matching_key', 1000]]));
    expect(issuer.hits).toBe(2);
    // Sequential unknown kids for the rest of this cooldown: no further fetch.
    for (let elapsed = 0; elapsed < 500; elapsed += 10) {
      await expect(codeOf(service.verify(unknownKidToken()))).resolves.toBe('jwks/no_matching_key');
      await expect(codeOf(service.verify(good))).resolves.toBe('ok');
      await advance(10);
    }
    expect(issuer.hits).toBe(2);
    expect(logger.count('refetch budget exhausted')).toBe(2);
  });

  it('endpoint down: the failed refetch starts the cooldown too; unknown kids → jwks/fetch_failed, known kids verify', async () => {
    const { service, advance } = fresh({ jwks: { cooldown: 0.3 } });
    const good = issuer.token();
    await service.verify(good);
    issuer.fault({ status: 503, headers: { 'Retry-After': '7' } });
    await advance(300);

    const first = await failure(service.verify(unknownKidToken()));
    expect(first.code).toBe('jwks/fetch_failed');
    expect(first.retryAfter).toBe(7);
    expect(issuer.hits).toBe(2);
    for (let i = 0; i < 50; i++) {
      const error = await failure(service.verify(unknownKidToken()));
      expect(error.code).toBe('jwks/fetch_failed');
      expect(error.retryAfter).toBe(7 - Math.floor((i * 100) / 1000));
      await expect(codeOf(service.verify(good))).resolves.toBe('ok');
      await advance(100);
    }
    // Past the cooldown, Retry-After (7 s) still keeps the endpoint quiet until it ends.
    await expect(codeOf(service.verify(unknownKidToken()))).resolves.toBe('jwks/fetch_failed');
    expect(issuer.hits).toBe(2);
    await advance(2000);
    await expect(codeOf(service.verify(unknownKidToken()))).resolves.toBe('jwks/fetch_failed');
    expect(issuer.hits).toBe(3);
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
