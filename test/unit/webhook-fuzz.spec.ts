// Property tests of WebhookService.verify: arbitrary inputs never escape as anything but a catalog
// RakomiError; a signed delivery always verifies; any single-byte change of a signed body fails.
// Runs: FUZZ_RUNS (default 200).
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { ERROR_CATALOG, RakomiError } from '../../lib/errors/index.js';
import { resolveOptions } from '../../lib/options/index.js';
import { webhookSignature } from '../../lib/testing/webhook-signer.js';
import { WebhookService, type WebhookHeaders } from '../../lib/webhook/webhook.service.js';
import { withoutPrototypeMembers } from '../support/json-reference.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 200);
const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const NOW_S = 1_750_000_000;
const webhooks = new WebhookService(
  resolveOptions({
    apiKey: 'akm_test_fuzz',
    audience: null,
    webhookSecret: SECRET,
    webhookMaxBytes: 4096,
    replayStore: false,
    logger: false,
    now: () => NOW_S * 1000,
  }),
);

const NAMES = ['x-rakomi-delivery-id', 'x-rakomi-timestamp', 'x-rakomi-signature'];

/** A header name: one of ours in a random casing, or anything else. */
const headerName = fc.oneof(
  fc
    .constantFrom(...NAMES)
    .chain((name) =>
      fc
        .array(fc.boolean(), { minLength: name.length, maxLength: name.length })
        .map((upper) => [...name].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join('')),
    ),
  fc.string({ maxLength: 24 }),
);

/** A header value: plausible pieces of a delivery, junk, or values of the wrong type. */
const headerValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom('msg_abc', String(NOW_S), String(NOW_S + 301), `v1,${randomBytes(32).toString('base64')}`, 'v1,', '', ' ', '0', 'v2,x'),
  fc.string({ maxLength: 80 }),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.array(fc.string({ maxLength: 20 }), { maxLength: 4 }),
  fc.constantFrom(undefined, null, 42, true, {}, [1, 2], Number.NaN),
);

const headerMap = fc.dictionary(headerName, headerValue, { maxKeys: 8 });

const body: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.uint8Array({ maxLength: 200 }),
  fc.uint8Array({ minLength: 4097, maxLength: 4200 }),
  fc.json().map((text) => Buffer.from(text)),
  fc.constantFrom(undefined, null, 7, { type: 'x' }, [1]),
);

/** Runs verify and returns the outcome; anything but a catalog RakomiError is rethrown. */
function outcome(raw: unknown, headers: unknown): 'ok' | RakomiError {
  try {
    webhooks.verify(raw as string, headers as WebhookHeaders);
    return 'ok';
  } catch (error) {
    if (!(error instanceof RakomiError) || !Object.hasOwn(ERROR_CATALOG, error.code) || !error.code.startsWith('webhook/')) throw error;
    expect(error.message).toBe(ERROR_CATALOG[error.code].message);
    return error;
  }
}

describe('verify() under random input', () => {
  it('random header maps and bodies only ever fail with a webhook/* catalog error', () => {
    fc.assert(
      fc.property(body, headerMap, (raw, headers) => {
        outcome(raw, headers);
      }),
      { numRuns: RUNS },
    );
  });

  it('the same as a Fetch Headers', () => {
    const printable = fc.string({ maxLength: 60 }).map((value) => value.replace(/[^\x20-\x7e]/g, '').trim());
    fc.assert(
      fc.property(body, fc.array(fc.tuple(fc.constantFrom(...NAMES, 'x-other'), printable), { maxLength: 8 }), (raw, entries) => {
        const headers = new Headers();
        for (const [name, value] of entries) headers.append(name, value);
        outcome(raw, headers);
      }),
      { numRuns: RUNS },
    );
  });

  it('near-valid deliveries: random ids, timestamps and signature headers around a valid one', () => {
    const id = fc.oneof(fc.constant('msg_ok'), fc.string({ minLength: 1, maxLength: 300 }));
    const timestamp = fc.oneof(
      fc.integer({ min: NOW_S - 400, max: NOW_S + 400 }).map(String),
      fc.string({ maxLength: 14 }),
      fc.constantFrom('01', '1e9', ` ${NOW_S}`, `${NOW_S}abc`),
    );
    fc.assert(
      fc.property(
        id,
        timestamp,
        fc.json({ maxDepth: 2 }),
        fc.array(fc.string({ maxLength: 50 }), { maxLength: 12 }),
        (deliveryId, ts, json, extras) => {
          const signature = [webhookSignature([SECRET], deliveryId, ts, json), ...extras].join(' ');
          const result = outcome(json, { 'x-rakomi-delivery-id': deliveryId, 'x-rakomi-timestamp': ts, 'x-rakomi-signature': signature });
          const wellFormed =
            /^[\x21-\x2d\x2f-\x7e]{1,256}$/.test(deliveryId) &&
            /^[1-9][0-9]{0,11}$/.test(ts) &&
            Math.abs(Number(ts) - NOW_S) <= 300 &&
            !signature.includes(', '); // ", " reads as a joined repeat of the header
          if (wellFormed) {
            const parsed: unknown = JSON.parse(json);
            const isObject = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed);
            expect(result === 'ok' ? 'ok' : result.code).toBe(isObject ? 'ok' : 'webhook/invalid_body');
          } else {
            expect(result).not.toBe('ok');
          }
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe('signed deliveries', () => {
  const payload = fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue(), { maxKeys: 6 });
  const deliveryId = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/);

  it('any JSON object signed over its exact bytes verifies and round-trips', () => {
    fc.assert(
      fc.property(payload, deliveryId, fc.integer({ min: -300, max: 300 }), (object, id, offset) => {
        const text = JSON.stringify(object);
        const ts = NOW_S + offset;
        const headers = {
          'x-rakomi-delivery-id': id,
          'x-rakomi-timestamp': String(ts),
          'x-rakomi-signature': webhookSignature([SECRET], id, ts, text),
        };
        const event = webhooks.verify(Buffer.from(text), headers);
        expect(event.deliveryId).toBe(id);
        expect(event.timestamp.getTime()).toBe(ts * 1000);
        expect(event.payload).toEqual(JSON.parse(text, withoutPrototypeMembers));
      }),
      { numRuns: RUNS },
    );
  });

  it('changing any single byte of a signed body → webhook/invalid_signature', () => {
    fc.assert(
      fc.property(payload, fc.nat(), fc.integer({ min: 1, max: 255 }), (object, where, delta) => {
        const bytes = Buffer.from(JSON.stringify(object));
        const headers = {
          'x-rakomi-delivery-id': 'msg_fuzz',
          'x-rakomi-timestamp': String(NOW_S),
          'x-rakomi-signature': webhookSignature([SECRET], 'msg_fuzz', NOW_S, bytes),
        };
        const tampered = Buffer.from(bytes);
        const index = where % tampered.length;
        tampered[index] = (tampered[index]! + delta) % 256;
        const result = outcome(tampered, headers);
        expect(result === 'ok' ? 'ok' : result.code).toBe('webhook/invalid_signature');
      }),
      { numRuns: RUNS },
    );
  });
});
