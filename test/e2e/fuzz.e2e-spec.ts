// Property tests over real HTTP (issue 6), on Express and Fastify: arbitrary Authorization headers
// against a guarded route, and arbitrary or near-valid webhook deliveries against a
// @RakomiWebhook() route. Invariant: a catalog error body (or success only for a genuinely valid
// input), never a 5xx, never a hang, no token, secret, claim value or body echoed, no JWKS fetch
// beyond the warm one, and a handler that runs only for valid deliveries, once each.
// Runs: HTTP_FUZZ_RUNS = max(20, FUZZ_RUNS / 10) per property and adapter; FUZZ_SEED replays.
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { ERROR_CATALOG, RakomiError, WEBHOOK_REPLAY_ACK, type RakomiErrorCode } from '@rakomi/nestjs';
import { RakomiTestIssuer, webhookSignature } from '@rakomi/nestjs/testing';
import { startFaultApp, type Exchange, type FaultAdapter, type FaultApp } from '../support/fault-app.js';
import {
  HTTP_FUZZ_RUNS,
  authorizationValue,
  bearerCredential,
  fuzzParameters,
  fuzzTimeout,
  randomToken,
  tokenLeaks,
  withDeadline,
} from '../support/fault-fuzz.js';

/** Up to two requests per run, 50 ms each at worst. */
const TIMEOUT = fuzzTimeout(HTTP_FUZZ_RUNS, 100);

const API_KEY = `akm_FUZZ_${randomBytes(6).toString('hex')}`;
const CLAIMS = { tenant_id: 'ten_FUZZ_http', email: 'fuzz.http@example.com', sid: 'ses_FUZZ_http', note: 'CLAIM_FUZZ_http' };
const BODY_CANARY = 'BODY_CANARY_4111111111111111';

let issuer: RakomiTestIssuer;
let pool: string[];
const subOf = new Map<string, string>();

beforeAll(async () => {
  issuer = await RakomiTestIssuer.start();
  pool = Array.from({ length: 3 }, (_, i) => {
    const token = issuer.token({ ...CLAIMS, sub: `usr_FUZZ_http_${i}` });
    subOf.set(token, `usr_FUZZ_http_${i}`);
    return token;
  });
});

afterAll(async () => {
  await issuer?.close();
});

/** Node's HTTP client refuses control characters and code points above U+00FF in header values. */
function headerSafe(value: string): string {
  return value.replace(/[^\t\x20-\x7e\x80-\xff]/g, '');
}

function secrets(): string[] {
  const secretB64 = issuer.webhookSecret.slice('whsec_'.length);
  return [
    issuer.webhookSecret,
    secretB64,
    secretB64.slice(0, 16),
    API_KEY,
    BODY_CANARY,
    ...Object.values(CLAIMS),
    ...pool.flatMap(tokenLeaks),
  ];
}

function expectNoLeak(res: Exchange, extra: readonly string[] = []): void {
  const wire = `${res.text}\n${JSON.stringify(res.headers)}`;
  for (const secret of [...secrets(), ...extra]) {
    if (secret.length >= 8 && wire.includes(secret))
      throw new Error(`the response echoes ${secret.slice(0, 12)}…: ${res.status} ${res.text}`);
  }
  if (/ECONN|ERR_| {4}at |node_modules/.test(wire)) throw new Error(`internal detail in the response: ${res.text}`);
}

/** The exact catalog body of `code` at `status`. */
function expectCatalogBody(res: Exchange, allowed: (code: RakomiErrorCode) => boolean): RakomiErrorCode {
  const code = res.body?.code;
  if (typeof code !== 'string' || !Object.hasOwn(ERROR_CATALOG, code) || !allowed(code as RakomiErrorCode)) {
    throw new Error(`not an allowed catalog error: ${res.status} ${res.text}`);
  }
  const { fix_command: _fix, ...expected } = new RakomiError(code as RakomiErrorCode).toJSON();
  const { fix_command: _sent, ...body } = res.body as Record<string, unknown>;
  expect(body).toStrictEqual({ statusCode: res.status, ...expected });
  expect(res.headers['cache-control']).toBe('no-store');
  return code as RakomiErrorCode;
}

describe.each<FaultAdapter>(['express', 'fastify'])('fuzzing over HTTP on %s', (adapter) => {
  let app: FaultApp;

  beforeAll(async () => {
    app = await startFaultApp(issuer.moduleOptions({ apiKey: API_KEY, jwks: { cooldown: 3_600, timeout: 1, preload: false } }), {
      adapter,
    });
    issuer.resetHits();
    expect((await app.client.me(pool[0])).status).toBe(200);
  });

  afterAll(async () => {
    expect(issuer.hits).toBe(1);
    await app?.close();
  });

  it(
    'arbitrary Authorization headers (one or repeated) → 200 only for "Bearer <valid token>", else a token/* catalog error',
    async () => {
      const header = fc.oneof(
        { weight: 9, arbitrary: authorizationValue(pool).map(headerSafe) },
        { weight: 1, arbitrary: fc.array(authorizationValue(pool).map(headerSafe), { minLength: 2, maxLength: 3 }) },
      );
      await fc.assert(
        fc.asyncProperty(header, async (value) => {
          const res = await withDeadline(app.client.request('GET', '/me', { authorization: value }), 5_000, 'a request');
          const sent = Array.isArray(value) ? value.join(', ') : value;
          expectNoLeak(
            res,
            tokenLeaks(sent.replace(/^\s*\S+\s+/, '').trim()).filter((leak) => !pool.includes(leak)),
          );
          const credential = Array.isArray(value) ? undefined : bearerCredential(value.trim());
          if (credential !== undefined && subOf.has(credential)) {
            expect([res.status, res.body]).toEqual([200, { sub: subOf.get(credential) }]);
            return;
          }
          if (res.status === 200) throw new Error(`accepted ${JSON.stringify(value)}`);
          const code = expectCatalogBody(
            res,
            (c) => (c.startsWith('token/') && c !== 'token/internal_error') || c === 'jwks/no_matching_key',
          );
          expect(res.status).toBe(Array.isArray(value) ? 400 : ERROR_CATALOG[code].status);
          expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="rakomi"/);
        }),
        fuzzParameters(HTTP_FUZZ_RUNS),
      );
    },
    TIMEOUT,
  );

  it(
    'random tokens as bearer credentials → 401 token/* or jwks/no_matching_key, never a fetch',
    async () => {
      await fc.assert(
        fc.asyncProperty(randomToken.map(headerSafe), async (token) => {
          const res = await withDeadline(app.client.request('GET', '/me', { authorization: `Bearer ${token}` }), 5_000, 'a request');
          expectNoLeak(res, tokenLeaks(token));
          if (res.status === 401 && res.body?.code === 'token/missing') return; // a blank credential
          const code = expectCatalogBody(
            res,
            (c) => (c.startsWith('token/') && c !== 'token/internal_error') || c === 'jwks/no_matching_key',
          );
          expect(res.status).toBe(ERROR_CATALOG[code].status);
        }),
        fuzzParameters(HTTP_FUZZ_RUNS),
      );
    },
    TIMEOUT,
  );

  describe('webhooks', () => {
    type Headers = Record<string, string | string[]>;
    interface Delivery {
      id: string;
      timestamp: string;
      body: Buffer;
      headers: Headers;
    }
    /** A change to a delivery; `keepsValid` when the delivery must still verify afterwards. */
    interface Mutation {
      readonly keepsValid: boolean;
      apply(delivery: Delivery): void;
    }

    const NAMES = ['x-rakomi-delivery-id', 'x-rakomi-timestamp', 'x-rakomi-signature'] as const;

    function fresh(): Delivery {
      const id = `msg_${randomBytes(9).toString('base64url')}`;
      const body = Buffer.from(JSON.stringify({ type: 'card.updated', data: { note: BODY_CANARY, n: Math.random() } }));
      const signed = issuer.signWebhook(body, { deliveryId: id });
      const headers: Headers = {};
      for (const [name, value] of Object.entries(signed.headers)) headers[name.toLowerCase()] = value;
      return { id, timestamp: headers['x-rakomi-timestamp'] as string, body, headers };
    }

    /** `text` with the character at `at` replaced by `to`, or by another character when it already is `to`. */
    const replaceChar = (text: string, at: number, to: string): string => {
      if (text.length === 0) return to;
      const i = at % text.length;
      const char = text[i] === to ? (to === 'A' ? 'B' : 'A') : to;
      return text.slice(0, i) + char + text.slice(i + 1);
    };

    const headerName = (d: Delivery, name: string): string | undefined => Object.keys(d.headers).find((n) => n.toLowerCase() === name);

    const mutation: fc.Arbitrary<Mutation> = fc.oneof(
      // — changes that keep the delivery valid —
      fc.tuple(fc.constantFrom(...NAMES), fc.array(fc.boolean(), { minLength: 24, maxLength: 24 })).map(([name, upper]) => ({
        keepsValid: true,
        apply(d: Delivery) {
          const value = d.headers[name];
          if (value === undefined) return;
          delete d.headers[name];
          d.headers[[...name].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join('')] = value;
        },
      })),
      fc.constantFrom('v2,abc', 'v1a,xyz', 'v1,!!!!', `v1,${randomBytes(32).toString('base64')}`).map((decoy) => ({
        keepsValid: true,
        apply(d: Delivery) {
          const name = headerName(d, 'x-rakomi-signature');
          if (name !== undefined && typeof d.headers[name] === 'string') d.headers[name] = `${decoy} ${d.headers[name]}`;
        },
      })),
      fc.tuple(fc.stringMatching(/^x-[a-z]{1,10}$/), fc.string({ maxLength: 20 }).map(headerSafe)).map(([name, value]) => ({
        keepsValid: true,
        apply(d: Delivery) {
          d.headers[name] = value;
        },
      })),
      // — changes that must make it fail —
      fc.tuple(fc.nat(), fc.integer({ min: 0x20, max: 0x7e })).map(([at, byte]) => ({
        keepsValid: false,
        apply(d: Delivery) {
          if (d.body.length === 0) {
            d.body = Buffer.from([byte]);
            return;
          }
          const copy = Buffer.from(d.body);
          const i = at % copy.length;
          copy[i] = copy[i] === byte ? (byte === 0x20 ? 0x21 : 0x20) : byte;
          d.body = copy;
        },
      })),
      fc.constantFrom('\n', ' ', '\uFEFF', '}').map((extra) => ({
        keepsValid: false,
        apply(d: Delivery) {
          d.body = Buffer.concat([d.body, Buffer.from(extra)]);
        },
      })),
      fc.nat().map((at) => ({
        keepsValid: false,
        apply(d: Delivery) {
          d.body = d.body.subarray(0, at % d.body.length);
        },
      })),
      fc.constantFrom(...NAMES).map((name) => ({
        keepsValid: false,
        apply(d: Delivery) {
          for (const n of Object.keys(d.headers)) if (n.toLowerCase() === name) delete d.headers[n];
        },
      })),
      fc
        .tuple(
          fc.constantFrom(...NAMES),
          fc.oneof(
            fc.string({ maxLength: 30 }).map(headerSafe),
            fc.constantFrom('', ' ', '0', '-1', '1.5e9', 'msg.1', 'v1,', '9999999999', String(2 ** 53)),
          ),
        )
        .map(([name, value]) => ({
          keepsValid: false,
          apply(d: Delivery) {
            const n = headerName(d, name);
            if (n !== undefined) d.headers[n] = d.headers[n] === value ? `${value}x` : value;
          },
        })),
      fc.tuple(fc.nat(), fc.constantFrom('A', 'b', '+', '/', '=', '0')).map(([at, char]) => ({
        keepsValid: false,
        apply(d: Delivery) {
          const n = headerName(d, 'x-rakomi-signature');
          const value = n === undefined ? undefined : d.headers[n];
          if (n === undefined || typeof value !== 'string') return;
          // Change one character of the last (the valid) entry's base64 MAC.
          const start = value.lastIndexOf('v1,') + 3;
          d.headers[n] = value.slice(0, start) + replaceChar(value.slice(start), at, char);
        },
      })),
      fc.integer({ min: 301, max: 10 ** 7 }).chain((delta) =>
        fc.boolean().map((future) => ({
          keepsValid: false,
          apply(d: Delivery) {
            // Re-signed with the right secret, but outside the tolerance.
            const timestamp = Number(d.timestamp) + (future ? delta : -delta);
            const name = headerName(d, 'x-rakomi-timestamp');
            if (name === undefined || timestamp <= 0) return;
            d.headers[name] = String(timestamp);
            const sig = headerName(d, 'x-rakomi-signature');
            if (sig !== undefined) d.headers[sig] = webhookSignature([issuer.webhookSecret], d.id, timestamp, d.body);
          },
        })),
      ),
      fc.constantFrom(...NAMES).map((name) => ({
        keepsValid: false,
        apply(d: Delivery) {
          const n = headerName(d, name);
          const value = n === undefined ? undefined : d.headers[n];
          if (n !== undefined && typeof value === 'string') d.headers[n] = [value, `${value}0`];
        },
      })),
      fc.constant({
        keepsValid: false,
        apply(d: Delivery) {
          const other = `whsec_${randomBytes(32).toString('base64')}`;
          const sig = headerName(d, 'x-rakomi-signature');
          if (sig !== undefined) d.headers[sig] = webhookSignature([other], d.id, d.timestamp, d.body);
        },
      }),
    );

    /** Sends `delivery`; checks the invariant for one response; returns it. */
    async function deliver(delivery: Delivery, valid: boolean, seenBefore: boolean): Promise<Exchange> {
      const before = app.deliveries.count(delivery.id);
      const res = await withDeadline(
        app.client.request('POST', '/hooks', { 'content-type': 'application/json', ...delivery.headers }, delivery.body),
        5_000,
        'a webhook delivery',
      );
      const expected = webhookSignature([issuer.webhookSecret], delivery.id, delivery.timestamp, delivery.body).slice(3);
      expectNoLeak(res, [expected]);
      expect(res.status).toBeLessThan(500);
      if (valid) {
        expect([res.status, res.body]).toEqual(seenBefore ? [200, WEBHOOK_REPLAY_ACK] : [202, { handled: delivery.id }]);
        expect(app.deliveries.count(delivery.id)).toBe(seenBefore ? before : before + 1);
        return res;
      }
      expect(app.deliveries.count(delivery.id)).toBe(before);
      if (res.body !== undefined && typeof res.body.code === 'string') {
        const code = expectCatalogBody(res, (c) => c.startsWith('webhook/'));
        if (code === 'webhook/invalid_body') expect([400, 413, 415]).toContain(res.status);
        else expect(res.status).toBe(400);
      } else {
        // The framework's own body parser refused bytes that are not acceptable JSON before any route code ran.
        expect([400, 413, 415]).toContain(res.status);
      }
      return res;
    }

    it(
      'near-valid deliveries (header casing, decoys, flipped bytes, dropped, repeated or bad headers, wrong secret, stale) → 202 exactly when still valid; an exact replay → 200 ack; else a webhook/* error',
      async () => {
        await fc.assert(
          fc.asyncProperty(fc.array(mutation, { minLength: 0, maxLength: 3 }), fc.boolean(), async (mutations, replay) => {
            const delivery = fresh();
            for (const change of mutations) change.apply(delivery);
            const valid = mutations.every((change) => change.keepsValid);
            await deliver(delivery, valid, false);
            if (replay) await deliver(delivery, valid, true);
          }),
          fuzzParameters(HTTP_FUZZ_RUNS),
        );
      },
      TIMEOUT,
    );

    it(
      'arbitrary header maps and bodies → a webhook/* error (or the framework’s parser 400), the handler never runs',
      async () => {
        const name = fc.oneof(
          fc.constantFrom(...NAMES),
          fc
            .stringMatching(/^[a-z][a-z0-9-]{0,15}$/)
            .filter(
              (n) =>
                ![
                  'content-length',
                  'transfer-encoding',
                  'host',
                  'connection',
                  'content-type',
                  'content-encoding',
                  'expect',
                  'upgrade',
                  'te',
                  'trailer',
                  'keep-alive',
                ].includes(n),
            ),
        );
        const value = fc.oneof(
          fc.string({ maxLength: 60 }).map(headerSafe),
          fc.constantFrom('msg_x', String(Math.floor(Date.now() / 1000)), `v1,${randomBytes(32).toString('base64')}`, '', '0'),
          fc.array(fc.string({ maxLength: 10 }).map(headerSafe), { minLength: 2, maxLength: 3 }),
        );
        const body = fc.oneof(
          fc.json({ maxDepth: 3 }).map((text) => Buffer.from(text)),
          fc.string({ maxLength: 200 }).map((text) => Buffer.from(`{"note":"${BODY_CANARY}","x":${JSON.stringify(text)}}`)),
          fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
        );
        await fc.assert(
          fc.asyncProperty(fc.dictionary(name, value, { maxKeys: 6 }), body, async (headers, raw) => {
            const delivery: Delivery = { id: String(headers['x-rakomi-delivery-id'] ?? 'none'), timestamp: '0', body: raw, headers };
            await deliver(delivery, false, false);
          }),
          fuzzParameters(HTTP_FUZZ_RUNS),
        );
      },
      TIMEOUT,
    );
  });
});
