// Interoperability with the reference implementation: the `standardwebhooks` package (Standard
// Webhooks 1.0.0) with the header names mapped. Deliveries it signs verify with ours, and ours
// verify with it. Plus the pinned places where we are deliberately stricter.
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import { RakomiError } from '../../lib/errors/index.js';
import { resolveOptions } from '../../lib/options/index.js';
import { signWebhook, webhookSignature } from '../../lib/testing/webhook-signer.js';
import { WebhookService } from '../../lib/webhook/webhook.service.js';
import { withoutPrototypeMembers } from '../support/json-reference.js';

const RUNS = Math.max(20, Math.floor(Number(process.env.FUZZ_RUNS ?? 200) / 2));

/** A `whsec_` secret of 24 to 64 random bytes. */
const secretArb = fc.integer({ min: 24, max: 64 }).map((size) => `whsec_${randomBytes(size).toString('base64')}`);
const idArb = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/);
/** JSON object text with any Unicode (no lone surrogates: the reference re-encodes strings). */
const bodyArb = fc
  .dictionary(
    fc.string({ unit: 'grapheme', maxLength: 12 }),
    fc.oneof(fc.string({ unit: 'grapheme', maxLength: 40 }), fc.integer(), fc.boolean()),
    { maxKeys: 8 },
  )
  .map((object) => JSON.stringify(object));

function ours(secret: string | string[], nowS: number): WebhookService {
  return new WebhookService(
    resolveOptions({
      apiKey: 'akm_test_x',
      audience: null,
      webhookSecret: secret,
      replayStore: false,
      logger: false,
      now: () => nowS * 1000,
    }),
  );
}

describe('standardwebhooks → ours', () => {
  it('random secrets, ids, timestamps and bodies signed by the reference verify with ours', () => {
    fc.assert(
      fc.property(secretArb, idArb, fc.integer({ min: 1_000_000_000, max: 4_000_000_000 }), bodyArb, (secret, id, ts, body) => {
        const signature = new Webhook(secret).sign(id, new Date(ts * 1000), body);
        const headers = { 'X-Rakomi-Delivery-Id': id, 'X-Rakomi-Timestamp': String(ts), 'X-Rakomi-Signature': signature };
        const event = ours(secret, ts).verify(Buffer.from(body, 'utf8'), headers);
        expect(event).toEqual({ deliveryId: id, timestamp: new Date(ts * 1000), payload: JSON.parse(body, withoutPrototypeMembers) });
      }),
      // The counterexample a CI run found once the payload's `__proto__` members were stripped.
      { numRuns: RUNS, examples: [['whsec_HYl7+ZspXUHX/MRMeeKcSNbLCz+1/Ub5', '_', 1_000_000_000, '{"__proto__":false}']] },
    );
  });

  it('a reference signature under another secret fails with ours', () => {
    const ts = 1_750_000_000;
    const signature = new Webhook(`whsec_${randomBytes(32).toString('base64')}`).sign('msg_1', new Date(ts * 1000), '{}');
    const headers = { 'x-rakomi-delivery-id': 'msg_1', 'x-rakomi-timestamp': String(ts), 'x-rakomi-signature': signature };
    expect(() => ours(`whsec_${randomBytes(32).toString('base64')}`, ts).verify('{}', headers)).toThrow(
      expect.objectContaining({ code: 'webhook/invalid_signature' }) as unknown as Error,
    );
  });
});

describe('ours → standardwebhooks', () => {
  it('signWebhook output (one or several secrets) verifies with the reference, under each secret', () => {
    fc.assert(
      fc.property(fc.array(secretArb, { minLength: 1, maxLength: 3 }), idArb, bodyArb, (secrets, id, body) => {
        // The reference reads the real clock, so sign at the current second.
        const signed = signWebhook(body, { secrets, deliveryId: id });
        const mapped = {
          'webhook-id': signed.headers['X-Rakomi-Delivery-Id']!,
          'webhook-timestamp': signed.headers['X-Rakomi-Timestamp']!,
          'webhook-signature': signed.headers['X-Rakomi-Signature']!,
        };
        for (const secret of secrets) expect(new Webhook(secret).verify(signed.body, mapped)).toEqual(JSON.parse(body));
      }),
      { numRuns: RUNS },
    );
  });

  it('the two produce the same v1 entry for the same inputs', () => {
    fc.assert(
      fc.property(secretArb, idArb, fc.integer({ min: 1_000_000_000, max: 9_999_999_999 }), bodyArb, (secret, id, ts, body) => {
        expect(webhookSignature([secret], id, ts, body)).toBe(new Webhook(secret).sign(id, new Date(ts * 1000), body));
      }),
      { numRuns: RUNS },
    );
  });
});

describe('where we are deliberately stricter than the reference', () => {
  const ts = Math.floor(Date.now() / 1000);
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  const reference = new Webhook(secret);
  const code = (run: () => unknown): string => {
    try {
      run();
      return 'accepted';
    } catch (error) {
      return error instanceof RakomiError ? error.code : 'other error';
    }
  };

  it('W-09 parseInt trap: the reference accepts "<ts>abc" signed over "<ts>"; ours rejects it', () => {
    const signature = webhookSignature([secret], 'msg_1', ts, '{}');
    expect(reference.verify('{}', { 'webhook-id': 'msg_1', 'webhook-timestamp': `${ts}abc`, 'webhook-signature': signature })).toEqual({});
    const headers = { 'x-rakomi-delivery-id': 'msg_1', 'x-rakomi-timestamp': `${ts}abc`, 'x-rakomi-signature': signature };
    expect(code(() => ours(secret, ts).verify('{}', headers))).toBe('webhook/invalid_signature');
  });

  it('W-24: the reference decodes the body before hashing, so a MAC over U+FFFD validates 7B FF 7D; ours does not', () => {
    const invalid = Buffer.from([0x7b, 0xff, 0x7d]);
    const replaced = Buffer.from([0x7b, 0xef, 0xbf, 0xbd, 0x7d]);
    const signature = webhookSignature([secret], 'msg_1', ts, replaced);
    expect(() =>
      reference.verify(invalid, { 'webhook-id': 'msg_1', 'webhook-timestamp': String(ts), 'webhook-signature': signature }),
    ).toThrow(
      SyntaxError, // the signature matched; only its JSON.parse of "{\ufffd}" failed
    );
    const headers = { 'x-rakomi-delivery-id': 'msg_1', 'x-rakomi-timestamp': String(ts), 'x-rakomi-signature': signature };
    expect(code(() => ours(secret, ts).verify(invalid, headers))).toBe('webhook/invalid_signature');
  });

  it('W-14: the reference accepts a delivery id containing "."; ours rejects it', () => {
    const signature = webhookSignature([secret], `msg_A.${ts}`, ts, '{}');
    expect(
      reference.verify('{}', { 'webhook-id': `msg_A.${ts}`, 'webhook-timestamp': String(ts), 'webhook-signature': signature }),
    ).toEqual({});
    const headers = { 'x-rakomi-delivery-id': `msg_A.${ts}`, 'x-rakomi-timestamp': String(ts), 'x-rakomi-signature': signature };
    expect(code(() => ours(secret, ts).verify('{}', headers))).toBe('webhook/invalid_signature');
  });
});
