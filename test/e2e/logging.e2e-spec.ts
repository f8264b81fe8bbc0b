// Logging (issue 6): the SDK logs through Nest's Logger with context 'rakomi'; no token, secret,
// claim value, upstream body or private key material ever reaches a log line; operational events
// (stale JWKS, refetch budget exhausted, JWKS failures) are logged once per event, not per request.
// Logs are captured with the app's logger (NestFactory.create(…, { logger })).
import { createHash, randomBytes } from 'node:crypto';
import { TokenService, type RakomiModuleOptions } from '@rakomi/nestjs';
import { RakomiTestIssuer, webhookSignature, type TestSigningKey } from '@rakomi/nestjs/testing';
import { startFaultApp, sleep, tally, type Exchange, type FaultApp } from '../support/fault-app.js';
import { CapturingLogger } from '../support/capturing-logger.js';
import { unknownKidToken } from '../support/fault-tokens.js';

const API_KEY = `akm_CANARY_${randomBytes(6).toString('hex')}`;
const CLAIMS = {
  sub: 'usr_CANARY_sub_5b1',
  tenant_id: 'ten_CANARY_tenant_5b1',
  email: 'canary.5b1@example.com',
  sid: 'ses_CANARY_sid_5b1',
  x_profile: 'CLAIM_CANARY_custom_5b1',
};
const CARD = '4111111111111111';
const UPSTREAM = 'password=hunter2';

let issuer: RakomiTestIssuer;
let K1: TestSigningKey;
let app: FaultApp | undefined;
const logs = new CapturingLogger();
/** Every token sent in this file: none of them, nor any segment of one, may be logged. */
const sentTokens: string[] = [];
/** Expected webhook signatures the app computed for forged deliveries: never logged. */
const expectedSignatures: string[] = [];

beforeAll(async () => {
  issuer = await RakomiTestIssuer.start();
  K1 = issuer.currentKey;
});

afterEach(async () => {
  await app?.close();
  app = undefined;
  issuer.reset(); // back to the first key alone, normal serving, hit counter at 0
});

afterAll(async () => {
  await issuer?.close();
});

async function start(overrides: Partial<RakomiModuleOptions> = {}): Promise<FaultApp> {
  logs.clear();
  app = await startFaultApp(
    issuer.moduleOptions({ apiKey: API_KEY, tokenCache: false, ...overrides, jwks: { timeout: 1, preload: false, ...overrides.jwks } }),
    { logger: logs },
  );
  return app;
}

function me(started: FaultApp, token: string): Promise<Exchange> {
  sentTokens.push(token);
  return started.client.me(token);
}

/** Text that must never be logged: tokens and their segments, claims, secrets, upstream bodies, key material. */
function canaries(): string[] {
  const secretB64 = issuer.webhookSecret.slice('whsec_'.length);
  const privateJwk = K1.privateKey.export({ format: 'jwk' });
  const keyMaterial = ['d', 'p', 'q', 'dp', 'dq', 'qi'].map((member) => String(privateJwk[member as keyof typeof privateJwk]).slice(0, 24));
  const segments = sentTokens.flatMap((token) => [token, ...token.split('.').filter((segment) => segment.length >= 16)]);
  return [
    ...new Set([
      ...segments,
      ...Object.values(CLAIMS),
      API_KEY,
      issuer.webhookSecret,
      secretB64,
      secretB64.slice(0, 16),
      'hunter2',
      CARD,
      ...keyMaterial,
      ...expectedSignatures,
      ...expectedSignatures.map((signature) => signature.slice(3)),
    ]),
  ];
}

function expectNoCanary(): void {
  const text = logs.text;
  for (const canary of canaries()) {
    if (text.includes(canary)) throw new Error(`a canary was logged: ${canary.slice(0, 12)}… in\n${text}`);
  }
}

/** Entries with context 'rakomi' whose message contains `fragment`. */
/**
 * Serves the next `count` JWKS fetches normally and fails every later one with 503 and an upstream
 * canary: the outage starts right after a known fetch, however late a loaded machine runs the test.
 */
function failAfterFetches(count: number): void {
  let healthy = count;
  issuer.setHandler((_req, res) => {
    if (healthy-- > 0) res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(issuer.jwks));
    else res.writeHead(503, { 'Content-Type': 'text/plain' }).end(UPSTREAM);
  });
}

/** Most fetches a failing endpoint can see within `ms`: the first, then one per backoff step (≥ 0.5 s, doubling). */
function backoffAttemptsWithin(ms: number): number {
  return 1 + Math.floor(Math.log2(ms / 500 + 1));
}

function rakomiCount(fragment: string): number {
  return logs.rakomi().filter((entry) => entry.message.includes(fragment)).length;
}

describe('nothing secret is ever logged (canaries)', () => {
  afterEach(() => expectNoCanary());

  it('valid and invalid tokens of every kind, a token in the query string → no token, segment or claim value logged', async () => {
    const started = await start();
    const tokens = [
      issuer.token(CLAIMS),
      issuer.token({ ...CLAIMS, exp: Math.floor(Date.now() / 1000) - 3_600, iat: Math.floor(Date.now() / 1000) - 4_000 }),
      issuer.token({ ...CLAIMS, iss: 'https://issuer.invalid' }),
      issuer.token({ ...CLAIMS, aud: 'another-api' }),
      issuer.token({ ...CLAIMS, tenant_id: undefined }),
      issuer.token({ ...CLAIMS, sub: 12_345 }),
      issuer.token({ ...CLAIMS, nbf: Math.floor(Date.now() / 1000) + 3_600 }),
      issuer.token(CLAIMS, { kid: 'rk-unknown' }),
      issuer.token(CLAIMS, { key: issuer.createKey({ kid: K1.kid }) }),
      issuer.signJws({ alg: 'none', kid: K1.kid }, issuer.claims(CLAIMS), { alg: 'none' }),
      issuer.signJws({ alg: 'HS256', kid: K1.kid }, issuer.claims(CLAIMS), { alg: 'HS256', hmacKey: 'k' }),
      issuer.signJws({ alg: 'RS256', kid: K1.kid }, `{"sub":"${CLAIMS.sub}",`),
    ];
    const results = await Promise.all(tokens.map((token) => me(started, token)));
    expect(results[0]!.status).toBe(200);
    expect(results.slice(1).every((res) => res.status === 401)).toBe(true);
    const query = await started.client.request('GET', `/me?access_token=${tokens[0]}`);
    sentTokens.push(tokens[0]!);
    expect(query.status).toBe(401);
  });

  it.each([
    ['500 with a canary body', { status: 500, body: `internal error ${UPSTREAM}` }],
    ['200 with a body that is not JSON', { status: 200, body: `<html>${UPSTREAM}</html>` }],
    ['200 with JSON that is not a key set', { status: 200, body: JSON.stringify({ error: UPSTREAM }) }],
    ['429 with a canary header', { status: 429, headers: { 'X-Debug': UPSTREAM, 'Retry-After': '1' } }],
  ] as const)('JWKS answering %s → 503, logged under "rakomi" without the upstream body', async (_name, fault) => {
    const started = await start();
    issuer.fault(fault);
    const res = await me(started, issuer.token(CLAIMS));
    expect(res.status).toBe(503);
    expect(logs.rakomi().filter((entry) => entry.level === 'warn' || entry.level === 'error').length).toBeGreaterThan(0);
  });

  it('J-25 a JWKS entry with private members → 503 jwks/invalid_response; neither the body nor any private member is logged', async () => {
    const started = await start();
    issuer.unpublish(K1.kid);
    issuer.publish({ ...K1.privateKey.export({ format: 'jwk' }), kid: K1.kid, alg: 'RS256', use: 'sig' });
    const res = await me(started, issuer.token(CLAIMS));
    expect(res.status).toBe(503);
    expect(res.body?.code).toBe('jwks/invalid_response');
    expect(rakomiCount('invalid_response')).toBeGreaterThan(0);
  });

  it('webhooks: forged, expired, malformed, replayed and valid deliveries carrying a card number → no body, secret or expected signature logged', async () => {
    const started = await start();
    const now = Math.floor(Date.now() / 1000);
    const body = JSON.stringify({ type: 'payment.succeeded', data: { card: CARD, holder: CLAIMS.email } });
    const valid = issuer.signWebhook(body);
    const id = valid.headers['X-Rakomi-Delivery-Id']!;
    const tampered = body.replace('succeeded', 'refunded');
    expectedSignatures.push(webhookSignature([issuer.webhookSecret], id, valid.headers['X-Rakomi-Timestamp']!, tampered));
    const other = `whsec_${randomBytes(32).toString('base64')}`;
    const forged = issuer.signWebhook(body, { secrets: [other] });
    expectedSignatures.push(
      webhookSignature([issuer.webhookSecret], forged.headers['X-Rakomi-Delivery-Id']!, forged.headers['X-Rakomi-Timestamp']!, body),
    );
    const expired = issuer.signWebhook(body, { timestamp: now - 3_600 });
    const sends: [string | Buffer, Record<string, string>][] = [
      [valid.body, valid.headers],
      [valid.body, valid.headers], // exact replay
      [tampered, valid.headers],
      [forged.body, forged.headers],
      [expired.body, expired.headers],
      [body, { 'X-Rakomi-Delivery-Id': id, 'X-Rakomi-Timestamp': String(now) }],
      [`${CARD} not json`, issuer.signWebhook(`${CARD} not json`).headers],
    ];
    const results = await Promise.all(sends.map(([raw, headers]) => started.client.hook(raw, headers)));
    expect(results.map((res) => res.status).sort()).toEqual([200, 202, 400, 400, 400, 400, 400]);
    expect(started.deliveries.total).toBe(1);
  });

  it('a replay store failure is logged (503) without the delivery body or the secret', async () => {
    const failing = { claim: (): Promise<boolean> => Promise.reject(new Error('replay backend unavailable')) };
    const started = await start({ replayStore: failing });
    const body = JSON.stringify({ type: 'x', data: { card: CARD } });
    const { headers } = issuer.signWebhook(body);
    expect((await started.client.hook(body, headers)).status).toBe(503);
    expect(rakomiCount('webhook/replay_store_unavailable')).toBe(1);
  });
});

describe('operational events are logged once per event, not per request', () => {
  afterEach(() => expectNoCanary());

  it('stale JWKS: one warning per outage episode (however many requests), one "refreshed" on recovery, again once for the next episode', async () => {
    const started = await start({ jwks: { cacheMaxAge: 0.5, cooldown: 0.3, timeout: 0.5 } });
    const good = Array.from({ length: 3 }, () => issuer.token(CLAIMS));
    failAfterFetches(1); // the warm fetch
    expect((await me(started, good[0]!)).status).toBe(200);

    const episode = async (): Promise<void> => {
      await sleep(700); // past cacheMaxAge: the set is stale and its refreshes fail
      const concurrent = await Promise.all(Array.from({ length: 30 }, (_, i) => me(started, good[i % 3]!)));
      const sequential: Exchange[] = [];
      for (let i = 0; i < 20; i++) sequential.push(await me(started, good[i % 3]!));
      expect(tally([...concurrent, ...sequential])).toEqual({ 200: 50 });
      failAfterFetches(1); // the reload's fetch
      await started.app.get(TokenService).reload();
    };

    await episode();
    expect(rakomiCount('serving stale JWKS')).toBe(1);
    expect(rakomiCount('JWKS fetch failed')).toBe(1);
    expect(rakomiCount('JWKS refreshed')).toBe(1);

    await episode();
    expect(rakomiCount('serving stale JWKS')).toBe(2);
    expect(rakomiCount('JWKS fetch failed')).toBe(2);
    expect(rakomiCount('JWKS refreshed')).toBe(2);
    for (const entry of logs.entries.filter((e) => /stale|JWKS/.test(e.message))) expect(entry.context).toBe('rakomi');
  });

  it('refetch budget exhausted (healthy endpoint): one warning per cooldown window, however many unknown kids', async () => {
    const started = await start({ jwks: { cooldown: 0.4 } });
    expect((await me(started, issuer.token(CLAIMS))).status).toBe(200);
    const warmedAt = performance.now();
    const flood = async (): Promise<void> => {
      const results = await Promise.all(Array.from({ length: 60 }, () => me(started, unknownKidToken(issuer))));
      for (let i = 0; i < 20; i++) results.push(await me(started, unknownKidToken(issuer)));
      expect(tally(results)).toEqual({ '401 jwks/no_matching_key': 80 });
    };
    await flood();
    await sleep(450);
    await flood(); // the first unknown kid after the cooldown spends the budget (a fetch); the rest are refused
    // Each warning opens a window that only a new refetch closes: at most one per fetch (on a
    // loaded machine a flood may outlast a cooldown), never one per request.
    const warnings = rakomiCount('refetch budget exhausted');
    expect(warnings).toBeGreaterThanOrEqual(2);
    expect(warnings).toBeLessThanOrEqual(issuer.hits);
    // The warm fetch, then at most one per cooldown (0.4 s) since.
    expect(issuer.hits).toBeLessThanOrEqual(2 + Math.floor((performance.now() - warmedAt) / 400));
    expect(
      logs
        .rakomi()
        .filter((entry) => entry.message.includes('budget'))
        .every((entry) => entry.level === 'warn'),
    ).toBe(true);
  });

  it('JWKS outage: 503s answered off one failed fetch are logged as one event, not one error per request', async () => {
    // Cold start against a failing endpoint, then unknown kids during the outage: every request is
    // a 503, the endpoint is asked at most a few times (backoff), and the log grows with the
    // number of failed fetches — not with the number of requests.
    const started = await start({ jwks: { cooldown: 0.3, timeout: 0.5 } });
    issuer.fault({ status: 500, body: UPSTREAM });
    const startedAt = performance.now();
    const cold = await Promise.all(Array.from({ length: 40 }, () => me(started, issuer.token(CLAIMS))));
    const sequential: Exchange[] = [];
    for (let i = 0; i < 40; i++) sequential.push(await me(started, issuer.token(CLAIMS)));
    expect(tally([...cold, ...sequential])).toEqual({ '503 jwks/fetch_failed': 80 });
    const fetches = issuer.hits;
    expect(fetches).toBeGreaterThanOrEqual(1);
    expect(fetches).toBeLessThanOrEqual(backoffAttemptsWithin(performance.now() - startedAt));
    const errors = logs.rakomi().filter((entry) => entry.level === 'error' || entry.level === 'warn');
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.length).toBeLessThanOrEqual(2 * fetches + 1);
  });
});

describe('the logger option', () => {
  it('logger: false silences the core’s operational events (no stale-JWKS warning)', async () => {
    const started = await start({ logger: false, jwks: { cacheMaxAge: 0.3 } });
    failAfterFetches(1);
    expect((await me(started, issuer.token(CLAIMS))).status).toBe(200);
    await sleep(400);
    expect((await me(started, issuer.token(CLAIMS))).status).toBe(200);
    expect(rakomiCount('stale')).toBe(0);
    expectNoCanary();
  });

  it('logger: false also silences the Nest layer (the filter’s 503 log, the replay acknowledgement)', async () => {
    issuer.fault({ status: 500, body: UPSTREAM });
    const started = await start({ logger: false });
    expect((await me(started, issuer.token(CLAIMS))).status).toBe(503);
    const { body, headers } = issuer.signWebhook({ type: 'x' });
    expect((await started.client.hook(body, headers)).status).toBe(202);
    expect((await started.client.hook(body, headers)).status).toBe(200);
    expect(rakomiCount('')).toBe(0);
  });

  it('a custom RakomiLogger receives the Nest layer’s events too', async () => {
    const lines: string[] = [];
    const custom = { log: (m: string) => lines.push(m), warn: (m: string) => lines.push(m), error: (m: string) => lines.push(m) };
    issuer.fault({ status: 500, body: UPSTREAM });
    const started = await start({ logger: custom });
    expect((await me(started, issuer.token(CLAIMS))).status).toBe(503);
    expect(lines.some((line) => line.startsWith('jwks/fetch_failed (503)'))).toBe(true);
    expect(rakomiCount('')).toBe(0);
  });

  it('a custom RakomiLogger receives the core’s events with no canary', async () => {
    const lines: string[] = [];
    const custom = {
      log: (message: string) => lines.push(message),
      warn: (message: string) => lines.push(message),
      error: (message: string, stack?: string) => lines.push(`${message}\n${stack ?? ''}`),
    };
    const started = await start({ logger: custom, jwks: { cacheMaxAge: 0.3, cooldown: 0.3 } });
    failAfterFetches(1);
    expect((await me(started, issuer.token(CLAIMS))).status).toBe(200);
    await sleep(400);
    for (let i = 0; i < 10; i++) expect((await me(started, issuer.token(CLAIMS))).status).toBe(200);
    expect(lines.filter((line) => line.includes('serving stale JWKS'))).toHaveLength(1);
    const text = lines.join('\n');
    for (const canary of canaries()) expect(text.includes(canary)).toBe(false);
    // A digest of a token is as good as the token for correlation, and it is not logged either.
    const digest = createHash('sha256').update(sentTokens.at(-1)!).digest('base64');
    expect(text).not.toContain(digest);
  });
});
