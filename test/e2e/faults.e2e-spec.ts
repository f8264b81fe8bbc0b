// Reliability scenarios R-01..R-12 (test/CASES.md) against a real Nest app over real HTTP
// and the real local issuer (JWKS on loopback, hit counter). JWKS durations are shortened through
// the options; ordering is proved with gates (a JWKS response held until the test releases it)
// and request counts, not with latency thresholds. Tokens use the real clock.
import { createGzip } from 'node:zlib';
import { jest } from '@jest/globals';
import { ERROR_CATALOG, MemoryReplayStore, RakomiError, TokenService, WEBHOOK_REPLAY_ACK, type RakomiModuleOptions } from '@rakomi/nestjs';
import { RakomiTestIssuer, type TestSigningKey } from '@rakomi/nestjs/testing';
import { startFaultApp, sleep, tally, waitFor, type Exchange, type FaultAdapter, type FaultApp } from '../support/fault-app.js';
import { bogusSignatureToken, garbageTokens, heapAfterGc, unknownKidToken, unknownKidTokens } from '../support/fault-tokens.js';

jest.setTimeout(15_000);

let issuer: RakomiTestIssuer;
let K1: TestSigningKey;
/** Rotation targets, generated once (RSA key generation is slow on a busy machine). */
let K2: TestSigningKey;
let app: FaultApp | undefined;

beforeAll(async () => {
  issuer = await RakomiTestIssuer.start();
  K1 = issuer.currentKey;
  K2 = issuer.createKey({ kid: 'rk-2' });
});

afterEach(async () => {
  await app?.close();
  app = undefined;
  issuer.reset(); // back to the first key alone, normal serving, hit counter at 0
});

afterAll(async () => {
  await issuer?.close();
});

/**
 * The issuer's options with every request going through the key store (`tokenCache: false`, so
 * a cached verification never hides a JWKS behaviour) and a short fetch timeout.
 */
function options(overrides: Partial<RakomiModuleOptions> = {}): RakomiModuleOptions {
  return issuer.moduleOptions({ tokenCache: false, ...overrides, jwks: { timeout: 1, preload: false, ...overrides.jwks } });
}

async function start(overrides: Partial<RakomiModuleOptions> = {}, adapter: FaultAdapter = 'express'): Promise<FaultApp> {
  app = await startFaultApp(options(overrides), { adapter });
  return app;
}

/** Warms the JWKS cache with one verified request; returns when it was answered. */
async function warm(started: FaultApp): Promise<number> {
  const res = await started.client.me(issuer.token());
  expect(res.status).toBe(200);
  return res.doneAt;
}

/** A JWKS handler that holds every request until `release()`, then serves the published set. */
function gate(): { release(): void; released(): boolean; releasedAt(): number; arrivedAt: number[] } {
  let open = false;
  let openedAt = Number.POSITIVE_INFINITY;
  const waiting: (() => void)[] = [];
  const arrivedAt: number[] = [];
  issuer.setHandler((_req, res) => {
    arrivedAt.push(performance.now());
    const serve = (): void => {
      if (res.destroyed) return;
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(issuer.jwks));
    };
    if (open) serve();
    else waiting.push(serve);
  });
  return {
    release() {
      open = true;
      openedAt = performance.now();
      for (const serve of waiting.splice(0)) serve();
    },
    released: () => open,
    releasedAt: () => openedAt,
    arrivedAt,
  };
}

/** The catalog body of `code`, with its status. */
function expectCatalog(res: Exchange, code: keyof typeof ERROR_CATALOG, status = ERROR_CATALOG[code].status): void {
  expect(res.status).toBe(status);
  const { fix_command: _fix, ...expected } = new RakomiError(code).toJSON();
  expect(res.body).toMatchObject({ statusCode: status, ...expected });
}

/** 503 with a positive integer Retry-After, no upstream detail. */
function expectUnavailable(res: Exchange, code: 'jwks/fetch_failed' | 'jwks/invalid_response'): void {
  expectCatalog(res, code, 503);
  expect(res.headers['retry-after']).toMatch(/^[1-9][0-9]*$/);
  expect(res.text).not.toContain('hunter2');
  expect(res.text).not.toMatch(/ECONN|ERR_| {4}at /);
}

describe('R-01 cold-start herd', () => {
  it.each<FaultAdapter>(['express', 'fastify'])(
    '%s: 200 concurrent requests on a cold cache, all inside the app while the one JWKS fetch is held → 1 fetch, all 200',
    async (adapter) => {
      const N = 200;
      const started = await start({}, adapter);
      const jwks = gate();
      const tokens = Array.from({ length: 5 }, () => issuer.token());
      const pending = Array.from({ length: N }, (_, i) => started.client.me(tokens[i % tokens.length]));
      await waitFor(() => started.received() >= N, 'every request to reach the app');
      await waitFor(() => issuer.hits >= 1, 'the JWKS fetch');
      await sleep(50); // let every guard reach the key store
      expect(issuer.hits).toBe(1);
      jwks.release();
      const results = await Promise.all(pending);
      expect(tally(results)).toEqual({ 200: N });
      // Everything was answered off the single fetch, after it was released.
      expect(results.every((res) => res.doneAt >= jwks.releasedAt())).toBe(true);
      expect(issuer.hits).toBe(1);
    },
  );

  it('J-30 over HTTP: a cold herd while the endpoint fails → 1 fetch, every request 503 jwks/fetch_failed with Retry-After', async () => {
    const N = 100;
    const started = await start();
    // The failing answer is held until every request is inside the app (not for a fixed delay).
    const held: (() => void)[] = [];
    issuer.setHandler((_req, res) => {
      held.push(() => res.writeHead(500, { 'Content-Type': 'text/plain' }).end('password=hunter2'));
    });
    const pending = Promise.all(Array.from({ length: N }, () => started.client.me(issuer.token())));
    await waitFor(() => started.received() >= N && held.length >= 1, 'every request and the JWKS fetch');
    for (const answer of held.splice(0)) answer();
    const results = await pending;
    for (const res of results) expectUnavailable(res, 'jwks/fetch_failed');
    expect(issuer.hits).toBe(1);
  });
});

describe('R-02 JWKS down, cache fresh', () => {
  it('500 with a canary body, then a hanging endpoint: every valid request → 200, no fetch', async () => {
    const started = await start();
    await warm(started);
    const tokens = Array.from({ length: 4 }, () => issuer.token());
    for (const fault of [{ status: 500, body: 'password=hunter2' }, { hang: true }]) {
      issuer.fault(fault);
      issuer.resetHits();
      const results = await Promise.all(Array.from({ length: 100 }, (_, i) => started.client.me(tokens[i % 4])));
      expect(tally(results)).toEqual({ 200: 100 });
      expect(issuer.hits).toBe(0);
    }
  });

  it('the JWKS port closed (connection refused): every valid request → 200', async () => {
    const own = await RakomiTestIssuer.start();
    try {
      app = await startFaultApp(own.moduleOptions({ tokenCache: false, jwks: { preload: false } }));
      expect((await app.client.me(own.token())).status).toBe(200);
      await own.close();
      const results = await Promise.all(Array.from({ length: 50 }, () => app!.client.me(own.token())));
      expect(tally(results)).toEqual({ 200: 50 });
    } finally {
      await own.close().catch(() => undefined);
    }
  });
});

describe('R-03 JWKS down past cacheMaxAge', () => {
  it('stale-if-error keeps known keys verifying (fetches bounded by backoff), then 503 jwks/fetch_failed after maxStale; reload() recovers', async () => {
    // Fresh for 0.5 s, then stale for up to 3 s: stale window ≈ [0.5 s, 3.5 s] after the warm fetch,
    // wide enough for the 50 stale-phase requests on a loaded machine. Backoff attempts (after the
    // failed refresh-ahead at ≈ 0.4 s: ≥ 0.5 s, then ≥ 1 s, then ≥ 2 s apart) allow at most 3 before 3.9 s.
    const started = await start({ jwks: { cacheMaxAge: 0.5, maxStale: 3, cooldown: 0.5, timeout: 0.5 } });
    const warmedAt = await warm(started);
    issuer.fault({ status: 503, body: 'password=hunter2' });
    issuer.resetHits();

    await sleep(warmedAt + 600 - performance.now());
    const tokens = Array.from({ length: 3 }, () => issuer.token());
    const concurrent = await Promise.all(Array.from({ length: 30 }, (_, i) => started.client.me(tokens[i % 3])));
    const sequential: Exchange[] = [];
    for (let i = 0; i < 20; i++) sequential.push(await started.client.me(tokens[i % 3]));
    expect(tally([...concurrent, ...sequential])).toEqual({ 200: 50 });
    expect(sequential.at(-1)!.doneAt).toBeLessThan(warmedAt + 3_500); // still inside the stale window
    // 50 requests on a stale set: the refresh attempts follow the backoff, not the traffic.
    const staleHits = issuer.hits;
    expect(staleHits).toBeGreaterThanOrEqual(1);
    expect(staleHits).toBeLessThanOrEqual(3);

    await sleep(warmedAt + 3_650 - performance.now());
    const expired: Exchange[] = [];
    for (let i = 0; i < 20; i++) expired.push(await started.client.me(tokens[i % 3]));
    for (const res of expired) expectUnavailable(res, 'jwks/fetch_failed');
    // 20 sequential requests past maxStale: at most one more attempt each backoff step, not 20.
    expect(issuer.hits - staleHits).toBeLessThanOrEqual(2);

    // Incident response: the endpoint is back, reload() refetches at once despite the backoff.
    issuer.fault(undefined);
    await started.app.get(TokenService).reload();
    expect((await started.client.me(tokens[0])).status).toBe(200);
  });
});

describe('R-04 refresh ahead of expiry', () => {
  it('once warm, requests never wait on a slow refresh: all complete while the refresh is held; a new key arrives with it', async () => {
    const started = await start({ jwks: { cacheMaxAge: 0.6, timeout: 5 } });
    await warm(started);
    issuer.publish(K2);
    const jwks = gate();

    // No request at all: the fetch that arrives now was started by the refresh-ahead timer.
    await waitFor(() => issuer.hits >= 2, 'the background refresh', 3_000);
    expect(started.received()).toBe(1);

    // While it is held: a newly published kid waits on the in-flight refresh (no extra fetch) …
    const newKid = started.client.me(issuer.token({}, { key: K2 }));
    // … and known keys answer at once, concurrently and one after the other.
    const tokens = Array.from({ length: 4 }, () => issuer.token());
    const concurrent = await Promise.all(Array.from({ length: 40 }, (_, i) => started.client.me(tokens[i % 4])));
    const sequential: Exchange[] = [];
    for (let i = 0; i < 20; i++) sequential.push(await started.client.me(tokens[i % 4]));
    expect(jwks.released()).toBe(false);
    expect(tally([...concurrent, ...sequential])).toEqual({ 200: 60 });

    jwks.release();
    const late = await newKid;
    expect(late.status).toBe(200);
    expect(late.doneAt).toBeGreaterThanOrEqual(jwks.releasedAt());
    expect((await started.client.me(issuer.token({}, { key: K2 }))).status).toBe(200);
    expect(issuer.hits).toBe(2);
  });
});

describe('R-05 key rotation mid-traffic', () => {
  it('pre-published: K2 in the JWKS before it signs → zero failed requests, no unknown-kid refetch', async () => {
    // cooldown 60 s: an unknown kid could not trigger a refetch during this test, so any K2 token
    // answered 200 was served from a set that already carried K2.
    const started = await start({ jwks: { cacheMaxAge: 0.6, cooldown: 60 } });
    const warmedAt = await warm(started);
    const results: Promise<Exchange>[] = [];
    let stop = false;
    const traffic = (async () => {
      while (!stop) {
        results.push(started.client.me(issuer.token()));
        await sleep(15);
      }
    })();
    issuer.publish(K2);
    await waitFor(() => issuer.hits >= 2, 'the refresh that picks up K2', 3_000);
    // The refresh has started: a K2 token now waits on it (or finds K2), whatever the machine's load.
    await started.app.get(TokenService).verify(issuer.token({}, { key: K2 }));
    issuer.signWith(K2);
    await sleep(200);
    stop = true;
    await traffic;
    const all = await Promise.all(results);
    expect(all.length).toBeGreaterThan(20);
    expect(tally(all)).toEqual({ 200: all.length });
    // K1 tokens still verify while K1 stays published.
    expect((await started.client.me(issuer.token({}, { key: K1 }))).status).toBe(200);
    // Warm fetch + refresh-ahead cycles only: one per ≥ 0.42 s (70 % of cacheMaxAge) after the
    // previous fetch ended (the warm one a little before warmedAt), whatever the traffic.
    expect(issuer.hits).toBeLessThanOrEqual(1 + Math.floor((performance.now() - warmedAt) / 420) + 1);
  });

  it('abrupt: K2 signs before it is fetched → 401 jwks/no_matching_key only within the cooldown after the last fetch, then 1 fetch and recovery', async () => {
    const COOLDOWN_MS = 500;
    const started = await start({ jwks: { cooldown: COOLDOWN_MS / 1000 } });
    const warmedAt = await warm(started); // the warm fetch ended before its answer
    const oldToken = issuer.token();
    // Abrupt rotation: K1 unpublished, K2 published and signing at once.
    issuer.unpublish(K1.kid);
    issuer.publish(K2);
    issuer.signWith(K2);
    const k2Tokens = Array.from({ length: 5 }, () => issuer.token());

    const early = await Promise.all(Array.from({ length: 30 }, (_, i) => started.client.me(k2Tokens[i % 5])));
    await sleep(warmedAt + COOLDOWN_MS + 50 - performance.now());
    const recovered = await Promise.all(Array.from({ length: 50 }, (_, i) => started.client.me(k2Tokens[i % 5])));
    const all = [...early, ...recovered];

    const failures = all.filter((res) => res.status !== 200);
    for (const res of failures) {
      expectCatalog(res, 'jwks/no_matching_key', 401);
      // A failure is only possible for a request sent within the cooldown after the warm fetch.
      expect(res.sentAt).toBeLessThan(warmedAt + COOLDOWN_MS);
    }
    expect(tally(recovered)).toEqual({ 200: 50 });
    expect(issuer.hits).toBe(2); // the warm fetch + exactly one for the new kid, shared by the burst
    // The retired key is gone from the refreshed set; within the new cooldown nothing is refetched.
    expectCatalog(await started.client.me(oldToken), 'jwks/no_matching_key', 401);
    expect(issuer.hits).toBe(2);
  });
});

describe('R-06 unknown-kid flood', () => {
  /** Waves of unknown-kid requests plus legitimate ones for `durationMs`. */
  async function flood(started: FaultApp, durationMs: number) {
    const unknown: Promise<Exchange>[] = [];
    const legit: Promise<Exchange>[] = [];
    const good = Array.from({ length: 3 }, () => issuer.token());
    const began = performance.now();
    while (performance.now() - began < durationMs) {
      for (let i = 0; i < 30; i++) unknown.push(started.client.me(unknownKidToken(issuer)));
      legit.push(started.client.me(good[legit.length % 3]), started.client.me(good[(legit.length + 1) % 3]));
      await sleep(100);
    }
    const result = { unknown: await Promise.all(unknown), legit: await Promise.all(legit) };
    return { ...result, elapsedMs: performance.now() - began };
  }

  it('healthy endpoint: fetches within the budget (≤ 1 per cooldown), legitimate traffic all 200', async () => {
    const started = await start({ jwks: { cooldown: 0.3 } });
    await warm(started);
    issuer.resetHits();
    const { unknown, legit, elapsedMs } = await flood(started, 800);
    expect(unknown.length).toBeGreaterThan(120);
    expect(tally(unknown)).toEqual({ '401 jwks/no_matching_key': unknown.length });
    expect(tally(legit)).toEqual({ 200: legit.length });
    expect(issuer.hits).toBeGreaterThanOrEqual(1);
    expect(issuer.hits).toBeLessThanOrEqual(Math.floor(elapsedMs / 300) + 1);
  });

  it('endpoint down: unknown kids → 503 jwks/fetch_failed within the budget (failures start the cooldown too); known kids → 200', async () => {
    const started = await start({ jwks: { cooldown: 0.3 } });
    await warm(started);
    issuer.fault({ status: 503, body: 'password=hunter2' });
    issuer.resetHits();
    const { unknown, legit, elapsedMs } = await flood(started, 800);
    for (const res of unknown) {
      // Before the first refetch after the warm fetch's cooldown an unknown kid is simply unknown.
      if (res.status === 401) expectCatalog(res, 'jwks/no_matching_key', 401);
      else expectUnavailable(res, 'jwks/fetch_failed');
    }
    // Once a refetch has failed, every later unknown kid is answered with that failure (503), never 401.
    const firstFailure = Math.min(...unknown.filter((res) => res.status === 503).map((res) => res.doneAt));
    expect(Number.isFinite(firstFailure)).toBe(true);
    expect(unknown.filter((res) => res.sentAt > firstFailure && res.status !== 503)).toEqual([]);
    expect(tally(legit)).toEqual({ 200: legit.length });
    expect(issuer.hits).toBeGreaterThanOrEqual(1);
    expect(issuer.hits).toBeLessThanOrEqual(Math.floor(elapsedMs / 300) + 1);
  });

  it('memory stays flat: 8 000 distinct 250-character unknown kids through the app’s TokenService grow the heap by < 1.5 MB', async () => {
    const started = await start({ jwks: { cooldown: 60 } });
    await warm(started);
    const tokens = started.app.get(TokenService);
    const codes = new Map<string, number>();
    const round = async (): Promise<void> => {
      const settled = await Promise.allSettled(unknownKidTokens(issuer, 2_000).map((token) => tokens.verify(token)));
      for (const result of settled) {
        const code = result.status === 'fulfilled' ? 'ok' : String((result.reason as RakomiError).code);
        codes.set(code, (codes.get(code) ?? 0) + 1);
      }
    };
    await round(); // first-use allocations (code paths, inline caches) before the baseline
    const before = heapAfterGc();
    for (let i = 0; i < 4; i++) await round();
    const growth = heapAfterGc() - before;
    expect(codes).toEqual(new Map([['jwks/no_matching_key', 10_000]]));
    // Anything kept per kid (a negative cache, a log buffer) would hold ≥ 250 bytes × 8 000 ≈ 2 MB;
    // measured growth is tens of KB.
    expect(growth).toBeLessThan(1.5 * 1024 * 1024);
    expect(issuer.hits).toBe(1);
    expect((await started.client.me(issuer.token())).status).toBe(200);
  });
});

describe('R-07 slow JWKS on a cold cache', () => {
  it('inside the timeout: every waiting request succeeds off one fetch', async () => {
    const started = await start({ jwks: { timeout: 2 } });
    issuer.fault({ delayMs: 300 });
    const results = await Promise.all(Array.from({ length: 100 }, () => started.client.me(issuer.token())));
    expect(tally(results)).toEqual({ 200: 100 });
    expect(issuer.hits).toBe(1);
  });

  it('beyond the timeout (an endpoint that never answers): every waiting request → 503 jwks/fetch_failed, none hangs, 1 fetch', async () => {
    const started = await start({ jwks: { timeout: 0.3 } });
    issuer.fault({ hang: true });
    const results = await Promise.all(Array.from({ length: 100 }, () => started.client.me(issuer.token())));
    for (const res of results) expectUnavailable(res, 'jwks/fetch_failed');
    expect(issuer.hits).toBe(1);
  });
});

describe('R-08 refresh herd at the TTL boundary across instances', () => {
  it('6 app instances warmed at the same moment refresh once each, spread by the jitter (not in one burst)', async () => {
    const N = 6;
    // Refresh-ahead at 80 % ± 10 % of 1 s: between 0.7 s and 0.9 s after the warm fetch.
    const instances = await Promise.all(Array.from({ length: N }, () => startFaultApp(options({ jwks: { cacheMaxAge: 1 } }))));
    try {
      const token = issuer.token();
      const warmed = await Promise.all(instances.map((instance) => instance.client.me(token)));
      expect(tally(warmed)).toEqual({ 200: N });
      expect(issuer.hits).toBe(N);
      const arrivals: number[] = [];
      issuer.setHandler((_req, res) => {
        arrivals.push(performance.now());
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(issuer.jwks));
      });
      await waitFor(() => arrivals.length >= N, 'one background refresh per instance', 3_000);
      await sleep(50);
      expect(arrivals).toHaveLength(N); // one per instance, no duplicates
      // Synchronised instances without jitter would all refresh within a few ms of each other.
      expect(Math.max(...arrivals) - Math.min(...arrivals)).toBeGreaterThan(20);
    } finally {
      await Promise.all(instances.map((instance) => instance.close()));
    }
  });
});

describe('R-09 hostile JWKS sizes while cached keys keep verifying', () => {
  const MAX_BYTES = 64 * 1024;

  /** gzip members: `{"keys":[` + 16 MiB of spaces, then 15 × 16 MiB of spaces (256 MiB inflated, ~250 KiB sent). */
  async function gzipBomb(): Promise<Buffer[]> {
    const member = (prefix: string): Promise<Buffer> =>
      new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        const gzip = createGzip({ level: 9 });
        gzip.on('data', (chunk: Buffer) => chunks.push(chunk));
        gzip.on('end', () => resolve(Buffer.concat(chunks)));
        gzip.on('error', reject);
        const spaces = Buffer.alloc(1024 * 1024, 0x20);
        gzip.write(prefix);
        for (let i = 0; i < 16; i++) gzip.write(spaces);
        gzip.end();
      });
    const first = await member('{"keys":[');
    const rest = await member('');
    return [first, ...Array.from({ length: 15 }, () => rest)];
  }

  it('over maxBytes, a gzip bomb and an endless body → jwks/invalid_response on refresh; known keys → 200 throughout; memory bounded', async () => {
    const started = await start({ jwks: { maxBytes: MAX_BYTES, cacheMaxAge: 0.4, cooldown: 0.2, timeout: 1 } });
    await warm(started);
    const tokens = started.app.get(TokenService);
    const bomb = await gzipBomb();
    let endlessBytes = 0;
    const hostile: [string, Parameters<RakomiTestIssuer['setHandler']>[0]][] = [
      [
        'a 2 MiB JSON document',
        (_req, res) => {
          res.writeHead(200, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify({ keys: [K1.jwk], padding: 'x'.repeat(2 * 1024 * 1024) }));
        },
      ],
      [
        'a gzip bomb (256 MiB inflated)',
        (_req, res) => {
          res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' });
          for (const member of bomb) res.write(member);
          res.end();
        },
      ],
      [
        'an endless chunked body',
        (_req, res) => {
          res.writeHead(200, { 'Content-Type': 'application/json' });
          res.write('{"keys":[');
          const chunk = Buffer.alloc(16 * 1024, 0x20);
          const timer = setInterval(() => {
            if (res.destroyed) return clearInterval(timer);
            endlessBytes += chunk.length;
            res.write(chunk);
          }, 1);
          res.on('close', () => clearInterval(timer));
        },
      ],
    ];
    const rssBefore = process.memoryUsage().rss;
    const good = Array.from({ length: 3 }, () => issuer.token());
    for (const [name, handler] of hostile) {
      issuer.setHandler(handler);
      const error = await tokens.reload().then(
        () => undefined,
        (reason: unknown) => reason,
      );
      expect([name, (error as RakomiError | undefined)?.code]).toEqual([name, 'jwks/invalid_response']);
      const results = await Promise.all(Array.from({ length: 30 }, (_, i) => started.client.me(good[i % 3])));
      expect([name, tally(results)]).toEqual([name, { 200: 30 }]);
    }
    // An unknown kid after the cooldown refetches through the last hostile handler: 503, not 401.
    await sleep(250);
    const unknown = await started.client.me(unknownKidToken(issuer));
    expectUnavailable(unknown, 'jwks/invalid_response');
    // Past cacheMaxAge the background refreshes keep failing: the stale set still verifies.
    await sleep(500);
    const stale = await Promise.all(Array.from({ length: 30 }, (_, i) => started.client.me(good[i % 3])));
    expect(tally(stale)).toEqual({ 200: 30 });
    // The endless body was cut near the cap (socket buffers aside), not read for the whole timeout.
    expect(endlessBytes).toBeLessThan(16 * 1024 * 1024);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(96 * 1024 * 1024);
    issuer.setHandler(undefined);
  });
});

describe('R-10 garbage-token flood', () => {
  it('tokens failing before key lookup cost no JWKS fetch even on a cold cache; bogus signatures for a real kid cost one fetch in all', async () => {
    const started = await start();
    const garbage = Array.from({ length: 10 }, () => garbageTokens(issuer)).flat();
    const signed = issuer.token();
    const results = await Promise.all(garbage.map((token) => started.client.me(token)));
    for (const res of results) {
      expect(res.status).toBe(401);
      expect(['token/missing', 'token/malformed', 'token/invalid_algorithm']).toContain(res.body?.code);
    }
    expect(issuer.hits).toBe(0);

    const bogus = Array.from({ length: 200 }, () => bogusSignatureToken(signed));
    const legit = Array.from({ length: 20 }, () => issuer.token());
    const mixed = await Promise.all([...bogus, ...legit].map((token) => started.client.me(token)));
    expect(tally(mixed.slice(0, 200))).toEqual({ '401 token/invalid_signature': 200 });
    expect(tally(mixed.slice(200))).toEqual({ 200: 20 });
    expect(issuer.hits).toBe(1);
  });
});

describe('R-11 webhook flood', () => {
  it('30 deliveries × (4 copies of a first attempt + 3 of a re-signed retry), all concurrent → each attempt handled exactly once', async () => {
    const started = await start();
    const now = Math.floor(Date.now() / 1000);
    const sends: { id: string; attempt: number; body: string; headers: Record<string, string> }[] = [];
    for (let i = 0; i < 30; i++) {
      const id = `msg_flood_${i}`;
      const body = JSON.stringify({ type: 'user.updated', data: { n: i } });
      const first = issuer.signWebhook(body, { deliveryId: id, timestamp: now - 30 });
      const retry = issuer.signWebhook(body, { deliveryId: id, timestamp: now });
      for (let c = 0; c < 4; c++) sends.push({ id, attempt: 1, body, headers: first.headers });
      for (let c = 0; c < 3; c++) sends.push({ id, attempt: 2, body, headers: retry.headers });
    }
    sends.sort(() => Math.random() - 0.5);
    const results = await Promise.all(sends.map((send) => started.client.hook(send.body, send.headers)));
    for (let i = 0; i < 30; i++) expect([i, started.deliveries.count(`msg_flood_${i}`)]).toEqual([i, 2]);
    expect(started.deliveries.total).toBe(60);
    expect(tally(results)).toEqual({ 202: 60, 200: sends.length - 60 });
    for (const res of results.filter((r) => r.status === 200)) expect(res.body).toEqual(WEBHOOK_REPLAY_ACK);
  });
});

describe('R-12 replay store failure', () => {
  it('a store that fails → 503 + Retry-After, the handler never runs; the sender’s retry after recovery is handled once', async () => {
    const memory = new MemoryReplayStore();
    let failing = true;
    const store = {
      claim(key: string, ttl: number): Promise<boolean> {
        if (failing) throw new Error('replay backend down password=hunter2');
        return memory.claim(key, ttl);
      },
    };
    const started = await start({ replayStore: store });
    const deliveries = Array.from({ length: 20 }, (_, i) =>
      issuer.signWebhook(JSON.stringify({ type: 't', data: { i } }), { deliveryId: `msg_r12_${i}` }),
    );
    const down = await Promise.all(deliveries.map((d) => started.client.hook(d.body as string, d.headers)));
    for (const res of down) {
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toMatch(/^[1-9][0-9]*$/);
      expect(res.text).not.toContain('hunter2');
    }
    expect(started.deliveries.total).toBe(0);

    failing = false;
    const retried = await Promise.all([...deliveries, ...deliveries].map((d) => started.client.hook(d.body as string, d.headers)));
    expect(tally(retried)).toEqual({ 202: 20, 200: 20 });
    expect(started.deliveries.total).toBe(20);
  });
});
