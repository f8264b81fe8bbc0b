// signWebhook / webhookSignature (lib/testing): the signer the test issuer and users' tests use.
import { createHmac, randomBytes } from 'node:crypto';
import { RakomiError } from '../../lib/errors/index.js';
import { resolveOptions } from '../../lib/options/index.js';
import { signWebhook, webhookSignature } from '../../lib/testing/webhook-signer.js';
import { WebhookService } from '../../lib/webhook/webhook.service.js';
import { WEBHOOK_VECTORS } from '../support/webhook-vectors.js';

const { vectors } = WEBHOOK_VECTORS;
const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const OLD_SECRET = `whsec_${randomBytes(24).toString('base64')}`;

function service(secret: string | string[], nowS: number): WebhookService {
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

describe('signWebhook', () => {
  it.each(vectors)('reproduces the published vector $deliveryId', (vector) => {
    const signed = signWebhook(vector.body, {
      secrets: [vector.secret],
      deliveryId: vector.deliveryId,
      timestamp: Number(vector.timestamp),
    });
    expect(signed).toEqual({
      body: vector.body,
      headers: {
        'X-Rakomi-Delivery-Id': vector.deliveryId,
        'X-Rakomi-Timestamp': vector.timestamp,
        'X-Rakomi-Signature': vector.signature,
      },
    });
  });

  it('an object body is JSON.stringify-ed once, and the result is what was signed', () => {
    let serialisations = 0;
    const payload = { type: 'user.created', toJSON: () => (serialisations++, { type: 'user.created', n: serialisations }) };
    const signed = signWebhook(payload, { secrets: [SECRET], timestamp: 1_750_000_000 });
    expect(serialisations).toBe(1);
    expect(signed.body).toBe('{"type":"user.created","n":1}');
    expect(service(SECRET, 1_750_000_000).verify(signed.body, signed.headers).payload).toEqual({ type: 'user.created', n: 1 });
  });

  it('a Buffer body is signed and returned byte for byte (invalid UTF-8 survives)', () => {
    const bytes = Buffer.from([0x7b, 0xff, 0x7d]);
    const signed = signWebhook(bytes, { secrets: [SECRET], deliveryId: 'msg_1', timestamp: 1_750_000_000 });
    expect(Buffer.isBuffer(signed.body)).toBe(true);
    expect(signed.body.equals(bytes)).toBe(true);
    const expected = createHmac('sha256', Buffer.from(SECRET.slice(6), 'base64'))
      .update('msg_1.1750000000.')
      .update(bytes)
      .digest('base64');
    expect(signed.headers['X-Rakomi-Signature']).toBe(`v1,${expected}`);
  });

  it('one v1 entry per secret, in order (rotation); each secret alone verifies it', () => {
    const signed = signWebhook('{"a":1}', { secrets: [SECRET, OLD_SECRET], timestamp: 1_750_000_000 });
    const entries = signed.headers['X-Rakomi-Signature']!.split(' ');
    expect(entries).toHaveLength(2);
    expect(entries.every((entry) => /^v1,[A-Za-z0-9+/]{43}=$/.test(entry))).toBe(true);
    expect(entries[0]).toBe(webhookSignature([SECRET], signed.headers['X-Rakomi-Delivery-Id']!, 1_750_000_000, '{"a":1}'));
    for (const secret of [SECRET, OLD_SECRET])
      expect(service(secret, 1_750_000_000).verify(signed.body, signed.headers).payload).toEqual({ a: 1 });
  });

  it('defaults: a fresh well-formed delivery id and the current second', () => {
    const before = Math.floor(Date.now() / 1000);
    const a = signWebhook('{}', { secrets: [SECRET] });
    const b = signWebhook('{}', { secrets: [SECRET] });
    const after = Math.floor(Date.now() / 1000);
    expect(a.headers['X-Rakomi-Delivery-Id']).toMatch(/^msg_[A-Za-z0-9_-]{24}$/);
    expect(a.headers['X-Rakomi-Delivery-Id']).not.toBe(b.headers['X-Rakomi-Delivery-Id']);
    const ts = Number(a.headers['X-Rakomi-Timestamp']);
    expect(ts).toBeGreaterThanOrEqual(before);
    expect(ts).toBeLessThanOrEqual(after);
    expect(service(SECRET, ts).verify(a.body, a.headers).payload).toEqual({});
  });

  it('a malformed secret is the catalog config error; no secret is a RangeError', () => {
    expect(() => signWebhook('{}', { secrets: ['not-a-secret'] })).toThrow(RakomiError);
    expect(() => signWebhook('{}', { secrets: ['not-a-secret'] })).toThrow(
      expect.objectContaining({ code: 'config/invalid_webhook_secret' }) as unknown as Error,
    );
    expect(() => signWebhook('{}', { secrets: [] })).toThrow(RangeError);
  });
});

describe('webhookSignature', () => {
  it('signs exact header texts without validating them (for malformed-delivery tests)', () => {
    const expected = createHmac('sha256', Buffer.from(SECRET.slice(6), 'base64'))
      .update('msg.A.1614265330abc.{}')
      .digest('base64');
    expect(webhookSignature([SECRET], 'msg.A', '1614265330abc', '{}')).toBe(`v1,${expected}`);
  });
});
