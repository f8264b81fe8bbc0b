// WebhookService.verify / claimDelivery: webhook-scheme.md's ordered steps, the published
// vectors and the W-xx cases of test/CASES.md (where the two differ, the scheme wins:
// malformed id / timestamp / repeated header → webhook/invalid_signature).
import { createHmac, randomBytes } from 'node:crypto';
import { jest } from '@jest/globals';
import { ERROR_CATALOG, isRakomiError, RakomiError, type RakomiErrorCode } from '../../lib/errors/index.js';
import { resolveOptions, type RakomiModuleOptions } from '../../lib/options/index.js';
import { MemoryReplayStore } from '../../lib/replay/memory-replay.store.js';
import type { ReplayStore } from '../../lib/replay/replay-store.interface.js';
import { WebhookMac } from '../../lib/webhook/webhook-mac.js';
import { WebhookService, type WebhookHeaders } from '../../lib/webhook/webhook.service.js';
import { WEBHOOK_VECTORS, type WebhookVector } from '../support/webhook-vectors.js';

type Vector = WebhookVector;
const fixture = WEBHOOK_VECTORS;
const [V1, V2] = fixture.vectors as [Vector, Vector];
const SECRET = V1.secret;
const OTHER_SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const T = Number(V1.timestamp);
const ID = V1.deliveryId;

/** A service with the frozen clock at `nowS` (seconds) and no replay store unless given. */
function service(overrides: Partial<RakomiModuleOptions> = {}, nowS = T): WebhookService {
  return new WebhookService(
    resolveOptions({
      apiKey: 'akm_test_webhooks',
      audience: null,
      webhookSecret: SECRET,
      replayStore: false,
      logger: false,
      now: () => nowS * 1000,
      ...overrides,
    }),
  );
}

/** Independent signer (plain node:crypto, not the SDK) over the exact texts and bytes. */
function sign(secret: string, id: string, timestamp: string | number, body: string | Uint8Array): string {
  const hmac = createHmac('sha256', Buffer.from(secret.slice('whsec_'.length), 'base64')).update(`${id}.${timestamp}.`);
  hmac.update(body);
  return `v1,${hmac.digest('base64')}`;
}

function headers(id: string, timestamp: string | number, signature: string): Record<string, string> {
  return { 'x-rakomi-delivery-id': id, 'x-rakomi-timestamp': String(timestamp), 'x-rakomi-signature': signature };
}

/** Headers of a valid delivery of `body` at `timestamp`. */
function signed(body: string | Uint8Array, timestamp: string | number = T, id = ID, secret = SECRET): Record<string, string> {
  return headers(id, timestamp, sign(secret, id, timestamp, body));
}

function failure(run: () => unknown): RakomiError {
  try {
    run();
  } catch (error) {
    if (error instanceof RakomiError) return error;
    throw error;
  }
  throw new Error('expected a RakomiError, the webhook was accepted');
}

function codeOf(run: () => unknown): RakomiErrorCode {
  return failure(run).code;
}

/** Counts HMAC computations: WebhookMac.sign is the only place the SDK hashes a webhook. */
function countHmacs(): { calls: () => number; restore: () => void } {
  const spy = jest.spyOn(WebhookMac.prototype, 'sign');
  return { calls: () => spy.mock.calls.length, restore: () => spy.mockRestore() };
}

const BODY = '{"type":"user.created","data":{"id":"usr_123"}}';

describe('published vectors (webhook-scheme.md), clock frozen at the timestamp', () => {
  it.each(fixture.vectors)('$deliveryId verifies as Buffer, Uint8Array and string', (vector) => {
    const webhooks = service({ webhookSecret: vector.secret }, Number(vector.timestamp));
    const h = headers(vector.deliveryId, vector.timestamp, vector.signature);
    const bytes = Buffer.from(vector.body, 'utf8');
    for (const body of [bytes, new Uint8Array(bytes), vector.body]) {
      const event = webhooks.verify(body, h);
      expect(event).toEqual({
        deliveryId: vector.deliveryId,
        timestamp: new Date(Number(vector.timestamp) * 1000),
        payload: JSON.parse(vector.body),
      });
    }
  });

  it.each(fixture.failingSignaturesForFirstVector)('signature %j → webhook/invalid_signature', (signature) => {
    expect(codeOf(() => service().verify(V1.body, headers(ID, T, signature)))).toBe('webhook/invalid_signature');
  });

  it('the last significant character changed fails, also when only its spare bits change (E→F decodes to the same bytes)', () => {
    const [prefix, last] = [V1.signature.slice(0, -2), V1.signature.slice(-2)];
    expect(last).toBe('E=');
    // A decode-then-compare verifier would accept "F": both decode to the same 32 bytes.
    expect(Buffer.from(`${prefix.slice(3)}F=`, 'base64')).toEqual(Buffer.from(`${prefix.slice(3)}E=`, 'base64'));
    for (const changed of ['F=', 'G=', 'H=', 'I=', 'A=']) {
      expect(codeOf(() => service().verify(V1.body, headers(ID, T, prefix + changed)))).toBe('webhook/invalid_signature');
    }
  });

  it('the valid entry among decoys passes, in any position; decoys alone fail', () => {
    const valid = V1.signature;
    const value = valid.slice(3);
    const decoys = [`v2,${value}`, `v1a,${value}`, `V1,${value}`, value, `v1=${value}`, `v1,${randomBytes(32).toString('base64')}`, 'v3,x'];
    expect(service().verify(V1.body, headers(ID, T, [...decoys.slice(0, 4), valid, ...decoys.slice(4)].join(' '))).deliveryId).toBe(ID);
    expect(service().verify(V1.body, headers(ID, T, [valid, ...decoys].join(' '))).deliveryId).toBe(ID);
    expect(service().verify(V1.body, headers(ID, T, [...decoys, valid].join(' '))).deliveryId).toBe(ID);
    expect(codeOf(() => service().verify(V1.body, headers(ID, T, decoys.join(' '))))).toBe('webhook/invalid_signature');
  });

  it('the second vector does not verify under the first secret (keys are decoded bytes, per delivery)', () => {
    const h = headers(V2.deliveryId, V2.timestamp, V2.signature);
    expect(codeOf(() => service({}, Number(V2.timestamp)).verify(V2.body, h))).toBe('webhook/invalid_signature');
  });

  it('W-00: one second past the tolerance the same vector is webhook/timestamp_expired', () => {
    expect(codeOf(() => service({}, T + 301).verify(V1.body, headers(ID, T, V1.signature)))).toBe('webhook/timestamp_expired');
  });
});

describe('check order: the first failing step decides the code', () => {
  const good = signed(BODY);

  it('no secret configured → config/missing_webhook_secret, whatever the request', () => {
    const webhooks = new WebhookService(resolveOptions({ apiKey: 'akm_test_webhooks', audience: null, logger: false }));
    expect(codeOf(() => webhooks.verify(BODY, good))).toBe('config/missing_webhook_secret');
    expect(codeOf(() => webhooks.verify(undefined as unknown as string, {}))).toBe('config/missing_webhook_secret');
  });

  it('step 1 (raw body) before step 2 (headers)', () => {
    expect(codeOf(() => service().verify({ type: 'x' } as unknown as string, {}))).toBe('webhook/invalid_body');
  });

  it('step 1 size cap (413) before step 2, without hashing', () => {
    const hmacs = countHmacs();
    try {
      const error = failure(() => service({ webhookMaxBytes: 16 }).verify('x'.repeat(17), {}));
      expect([error.code, error.status]).toEqual(['webhook/invalid_body', 413]);
      expect(hmacs.calls()).toBe(0);
    } finally {
      hmacs.restore();
    }
  });

  it('step 2 (presence of all three) before step 3 (syntax, repeats)', () => {
    const h = { 'x-rakomi-timestamp': 'not-a-number', 'x-rakomi-signature': ['v1,a', 'v1,b'] };
    expect(codeOf(() => service().verify(BODY, h))).toBe('webhook/missing_header');
  });

  it('step 3 (syntax) before step 4 (tolerance): a malformed far-past timestamp', () => {
    expect(codeOf(() => service().verify(BODY, signed(BODY, '0001')))).toBe('webhook/invalid_signature');
  });

  it('step 4 (tolerance) before step 5 (signature)', () => {
    expect(codeOf(() => service().verify(BODY, headers(ID, T - 301, 'v1,garbage')))).toBe('webhook/timestamp_expired');
  });

  it('step 5 (signature) before step 7 (JSON): a bad signature on a non-JSON body', () => {
    expect(codeOf(() => service().verify('hello', headers(ID, T, sign(SECRET, ID, T, 'other'))))).toBe('webhook/invalid_signature');
    expect(codeOf(() => service().verify('hello', signed('hello')))).toBe('webhook/invalid_body');
  });
});

describe('step 1: the body is the raw bytes', () => {
  it.each([
    ['a parsed object (raw body not kept)', { type: 'user.created' }],
    ['undefined', undefined],
    ['null', null],
    ['a number', 42],
    ['an array of bytes', [123, 125]],
    ['a Uint16Array', new Uint16Array([0x7b7d])],
    ['a DataView', new DataView(new ArrayBuffer(2))],
  ])('%s → webhook/invalid_body (400)', (_label, body) => {
    const error = failure(() => service().verify(body as unknown as string, signed(BODY)));
    expect([error.code, error.status]).toEqual(['webhook/invalid_body', 400]);
  });

  it('W-27: over webhookMaxBytes → 413; exactly at the cap passes', () => {
    const max = 1024;
    const exact = `{"p":"${'a'.repeat(max - 8)}"}`;
    expect(Buffer.byteLength(exact)).toBe(max);
    expect(service({ webhookMaxBytes: max }).verify(Buffer.from(exact), signed(exact)).payload).toEqual(JSON.parse(exact));
    const over = Buffer.from(exact.replace('{', '{ '));
    const error = failure(() => service({ webhookMaxBytes: max }).verify(over, signed(over)));
    expect([error.code, error.status]).toEqual(['webhook/invalid_body', 413]);
  });

  it('the default cap is 1 MiB: 1 MiB + 1 byte → 413', () => {
    const body = Buffer.alloc(1_048_577, 0x20);
    const error = failure(() => service().verify(body, signed(body)));
    expect([error.code, error.status]).toEqual(['webhook/invalid_body', 413]);
  });

  it('a string body counts its UTF-8 bytes, not its UTF-16 length', () => {
    const body = `{"p":"${'é'.repeat(400)}"}`; // 408 UTF-16 units, 808 UTF-8 bytes
    const error = failure(() => service({ webhookMaxBytes: 600 }).verify(body, signed(body)));
    expect([error.code, error.status]).toEqual(['webhook/invalid_body', 413]);
    expect(service({ webhookMaxBytes: 808 }).verify(body, signed(body)).payload).toEqual(JSON.parse(body));
  });

  it('a Uint8Array view hashes only its own bytes (offset and length respected)', () => {
    const backing = Buffer.from(`GARBAGE${BODY}TRAILER`);
    const view = new Uint8Array(backing.buffer, backing.byteOffset + 7, Buffer.byteLength(BODY));
    expect(service().verify(view, signed(BODY)).payload).toEqual(JSON.parse(BODY));
  });
});

describe('step 2: headers present and non-blank (W-01..W-05)', () => {
  const good = signed(BODY);

  it.each(['x-rakomi-signature', 'x-rakomi-timestamp', 'x-rakomi-delivery-id'])(
    'W-01..03: without %s → webhook/missing_header, no HMAC computed',
    (name) => {
      const hmacs = countHmacs();
      try {
        const h: Record<string, string | undefined> = { ...good };
        delete h[name];
        expect(codeOf(() => service().verify(BODY, h))).toBe('webhook/missing_header');
        expect(codeOf(() => service().verify(BODY, { ...good, [name]: undefined }))).toBe('webhook/missing_header');
        expect(hmacs.calls()).toBe(0);
      } finally {
        hmacs.restore();
      }
    },
  );

  it.each([
    ['x-rakomi-signature', ''],
    ['x-rakomi-signature', '   '],
    ['x-rakomi-timestamp', ''],
    ['x-rakomi-timestamp', ' \t '],
    ['x-rakomi-delivery-id', ''],
    ['x-rakomi-delivery-id', '  '],
    ['x-rakomi-delivery-id', []],
    ['x-rakomi-signature', ['', ' ']],
  ])('W-04: %s = %j → webhook/missing_header', (name, value) => {
    expect(codeOf(() => service().verify(BODY, { ...good, [name]: value } as WebhookHeaders))).toBe('webhook/missing_header');
  });

  it.each([
    ['no headers object', undefined],
    ['null', null],
    ['a string', 'x-rakomi-signature: v1,x'],
    ['an empty object', {}],
    ['an empty Headers', new Headers()],
    ['a Map (get() returns undefined)', new Map([['X-Rakomi-Signature', 'v1,x']])],
  ])('%s → webhook/missing_header', (_label, h) => {
    expect(codeOf(() => service().verify(BODY, h as unknown as WebhookHeaders))).toBe('webhook/missing_header');
  });

  it('W-05: names are case-insensitive in a plain object, Node-style lower case, arrays and a Fetch Headers', () => {
    const upper = Object.fromEntries(Object.entries(good).map(([k, v]) => [k.toUpperCase(), v]));
    const canonical = {
      'X-Rakomi-Delivery-Id': good['x-rakomi-delivery-id'],
      'X-Rakomi-Timestamp': good['x-rakomi-timestamp'],
      'X-Rakomi-Signature': good['x-rakomi-signature'],
    };
    const mixed = { 'x-RaKoMi-dElIvErY-iD': ID, 'X-RAKOMI-timestamp': String(T), 'x-rakomi-SIGNATURE': good['x-rakomi-signature'] };
    const distinct = Object.fromEntries(Object.entries(good).map(([k, v]) => [k, [v]])); // Node's headersDistinct
    const nullPrototype = Object.assign(Object.create(null) as Record<string, string>, good);
    for (const h of [good, upper, canonical, mixed, distinct, nullPrototype, new Headers(canonical)]) {
      expect(service().verify(BODY, h).deliveryId).toBe(ID);
    }
  });

  it('only own properties count: a header on the prototype chain is not read', () => {
    const inherited = Object.assign(Object.create({ 'x-rakomi-signature': good['x-rakomi-signature'] }) as Record<string, string>, {
      'x-rakomi-delivery-id': ID,
      'x-rakomi-timestamp': String(T),
    });
    expect(codeOf(() => service().verify(BODY, inherited))).toBe('webhook/missing_header');
  });

  it('W-05: Standard Webhooks header names are not accepted', () => {
    const standard = { 'webhook-id': ID, 'webhook-timestamp': String(T), 'webhook-signature': good['x-rakomi-signature'] };
    expect(codeOf(() => service().verify(BODY, standard))).toBe('webhook/missing_header');
  });

  it('other request headers are ignored, including look-alike names', () => {
    const h = {
      ...good,
      'x-rakomi-signatures': 'v1,x',
      'x-rakomi-delivery-idx': 'y',
      host: 'example.test',
      'content-type': 'application/json',
    };
    expect(service().verify(BODY, h).deliveryId).toBe(ID);
  });
});

describe('step 3: header syntax and repeats → webhook/invalid_signature', () => {
  const good = signed(BODY);
  const otherSignature = sign(SECRET, ID, T, `${BODY} `);

  it('a header repeated with different values (string[] entries) is rejected, even when one value is valid', () => {
    for (const [name, other] of [
      ['x-rakomi-signature', otherSignature],
      ['x-rakomi-timestamp', String(T + 1)],
      ['x-rakomi-delivery-id', 'msg_other'],
    ] as const) {
      for (const values of [
        [good[name], other],
        [other, good[name]],
        [good[name], ''],
      ]) {
        expect(codeOf(() => service().verify(BODY, { ...good, [name]: values }))).toBe('webhook/invalid_signature');
      }
    }
  });

  it('the same header under two casings of a plain object counts as a repeat', () => {
    const h = { ...good, 'X-Rakomi-Signature': otherSignature };
    expect(codeOf(() => service().verify(BODY, h))).toBe('webhook/invalid_signature');
    expect(service().verify(BODY, { ...good, 'X-Rakomi-Signature': good['x-rakomi-signature'] }).deliveryId).toBe(ID);
  });

  it('a repeat joined with ", " (Fetch Headers, Node req.headers) is rejected when the values differ', () => {
    const fetchHeaders = new Headers(good);
    fetchHeaders.append('X-Rakomi-Signature', otherSignature);
    expect(fetchHeaders.get('x-rakomi-signature')).toBe(`${good['x-rakomi-signature']}, ${otherSignature}`);
    expect(codeOf(() => service().verify(BODY, fetchHeaders))).toBe('webhook/invalid_signature');
    const ids = new Headers(good);
    ids.append('x-rakomi-delivery-id', 'msg_other');
    expect(codeOf(() => service().verify(BODY, ids))).toBe('webhook/invalid_signature');
    // Node's req.headers joins a repeated x- header the same way.
    const nodeJoined = { ...good, 'x-rakomi-signature': `${otherSignature}, ${good['x-rakomi-signature']}` };
    expect(codeOf(() => service().verify(BODY, nodeJoined))).toBe('webhook/invalid_signature');
    expect(codeOf(() => service().verify(BODY, { ...good, 'x-rakomi-timestamp': `${T}, ${T + 1}` }))).toBe('webhook/invalid_signature');
    expect(codeOf(() => service().verify(BODY, { ...good, 'x-rakomi-delivery-id': `${ID}, msg_other` }))).toBe('webhook/invalid_signature');
  });

  it('a joined repeat with an empty half is rejected; a joined blank value is a missing header', () => {
    expect(codeOf(() => service().verify(BODY, { ...good, 'x-rakomi-timestamp': `${T}, ` }))).toBe('webhook/invalid_signature');
    expect(codeOf(() => service().verify(BODY, { ...good, 'x-rakomi-timestamp': ', ' }))).toBe('webhook/missing_header');
  });

  it('an empty "v1," entry followed by another entry reads as a joined repeat, in any container', () => {
    // Pinned: Rakomi never sends empty entries, and ", " is how stacks join repeats.
    const value = `v1, ${good['x-rakomi-signature']}`;
    expect(codeOf(() => service().verify(BODY, { ...good, 'x-rakomi-signature': value }))).toBe('webhook/invalid_signature');
    expect(codeOf(() => service().verify(BODY, new Headers({ ...good, 'x-rakomi-signature': value })))).toBe('webhook/invalid_signature');
    expect(service().verify(BODY, { ...good, 'x-rakomi-signature': `${good['x-rakomi-signature']} v1,` }).deliveryId).toBe(ID);
  });

  it('a repeat with identical values is the same header', () => {
    const fetchHeaders = new Headers(good);
    fetchHeaders.append('x-rakomi-timestamp', String(T));
    expect(service().verify(BODY, fetchHeaders).deliveryId).toBe(ID);
    expect(
      service().verify(BODY, { ...good, 'x-rakomi-signature': [good['x-rakomi-signature'], good['x-rakomi-signature']] }).deliveryId,
    ).toBe(ID);
    expect(service().verify(BODY, { ...good, 'x-rakomi-timestamp': `${T}, ${T}` }).deliveryId).toBe(ID);
  });

  it('a value that is not a string → webhook/invalid_signature, not a TypeError', () => {
    for (const value of [T, [String(T), 7], { toString: () => String(T) }, true]) {
      expect(codeOf(() => service().verify(BODY, { ...good, 'x-rakomi-timestamp': value } as unknown as WebhookHeaders))).toBe(
        'webhook/invalid_signature',
      );
    }
  });

  // W-09 (the case list says missing_header; the scheme says a present but malformed timestamp is
  // invalid_signature). Each is signed over the exact header text, so only the syntax check can stop it.
  it.each([
    '1614265330abc',
    ' 1614265330',
    '1614265330 ',
    '+1614265330',
    '1.6e9',
    '1614265330e0',
    '0x603A0E72',
    '1614265330.5',
    '-1',
    '0',
    '01614265330',
    '١٦١٤٢٦٥٣٣٠',
    '１６１４２６５３３０',
    '1614265330000',
    '1234567890123456789012345',
    '9007199254740992',
    'Infinity',
    'NaN',
    '1_614_265_330',
    '1614265330\n',
  ])('W-09: timestamp %j → webhook/invalid_signature', (timestamp) => {
    expect(codeOf(() => service().verify(BODY, signed(BODY, timestamp)))).toBe('webhook/invalid_signature');
  });

  it('W-09 parseInt trap: "1614265330abc" with a signature over "1614265330" is rejected', () => {
    const h = headers(ID, '1614265330abc', sign(SECRET, ID, '1614265330', BODY));
    expect(codeOf(() => service().verify(BODY, h))).toBe('webhook/invalid_signature');
  });

  it('W-14 delimiter confusion: an id containing "." is rejected although the signature matches the concatenation', () => {
    // Signed "msg_A.1614265330.<T>.<body>": a verifier that only concatenates would accept it.
    const id = `msg_A.${T}`;
    expect(codeOf(() => service().verify(BODY, signed(BODY, T, id)))).toBe('webhook/invalid_signature');
    // Same signed bytes re-split: id "msg_A", timestamp "T", body "<T>.<body>" would need a body
    // starting with digits; the dot ban makes every split unique.
    expect(codeOf(() => service().verify(BODY, signed(BODY, T, '.')))).toBe('webhook/invalid_signature');
  });

  it.each([
    ['a control character', 'msg_\u0000A'],
    ['CR LF', 'msg_A\r\nX-Injected: 1'],
    ['a tab', 'msg_\tA'],
    ['a space', 'msg A'],
    ['DEL', 'msg_\u007f'],
    ['non-ASCII', 'msg_é'],
    ['a lone surrogate', 'msg_\ud800'],
    ['257 characters', 'a'.repeat(257)],
  ])('W-14: delivery id with %s → webhook/invalid_signature', (_label, id) => {
    expect(codeOf(() => service().verify(BODY, signed(BODY, T, id)))).toBe('webhook/invalid_signature');
  });

  it('W-14: ids of 1 and 256 visible ASCII characters (everything but ".") are accepted', () => {
    const visible = Array.from({ length: 0x7e - 0x21 + 1 }, (_, i) => String.fromCharCode(0x21 + i))
      .filter((c) => c !== '.')
      .join('');
    for (const id of ['a', 'x'.repeat(256), visible]) {
      expect(service().verify(BODY, signed(BODY, T, id)).deliveryId).toBe(id);
    }
  });
});

describe('step 4: timestamp tolerance, both directions (W-07, W-08, W-30, W-32)', () => {
  it.each([
    [-300, 'valid'],
    [-301, 'webhook/timestamp_expired'],
    [300, 'valid'],
    [301, 'webhook/timestamp_expired'],
    [-240, 'valid'], // W-32: receiver 4 min ahead
    [-360, 'webhook/timestamp_expired'], // W-30 / W-32: 6 min
    [10 * 365 * 86_400, 'webhook/timestamp_expired'], // W-08: 10 years ahead
  ])('timestamp = now %+d s → %s', (offset, expected) => {
    const timestamp = T + offset;
    const run = () => service().verify(BODY, signed(BODY, timestamp));
    if (expected === 'valid') expect(run().timestamp).toEqual(new Date(timestamp * 1000));
    else expect(codeOf(run)).toBe(expected);
  });

  it('W-08: 9999999999 → webhook/timestamp_expired; 2^53 is malformed (more than 12 digits)', () => {
    expect(codeOf(() => service().verify(BODY, signed(BODY, '9999999999')))).toBe('webhook/timestamp_expired');
    expect(codeOf(() => service().verify(BODY, signed(BODY, String(2 ** 53))))).toBe('webhook/invalid_signature');
  });

  it('uses the configured webhookTolerance and options.now(), compared in whole seconds', () => {
    const webhooks = (nowMs: number) =>
      new WebhookService(
        resolveOptions({
          apiKey: 'akm_x',
          audience: null,
          webhookSecret: SECRET,
          webhookTolerance: 60,
          replayStore: false,
          logger: false,
          now: () => nowMs,
        }),
      );
    expect(webhooks(T * 1000 + 60_999).verify(BODY, signed(BODY, T)).deliveryId).toBe(ID);
    expect(webhooks((T - 60) * 1000).verify(BODY, signed(BODY, T)).deliveryId).toBe(ID);
    expect(codeOf(() => webhooks((T + 61) * 1000).verify(BODY, signed(BODY, T)))).toBe('webhook/timestamp_expired');
    expect(codeOf(() => webhooks((T - 61) * 1000).verify(BODY, signed(BODY, T)))).toBe('webhook/timestamp_expired');
  });

  it('a clock that returns NaN fails closed', () => {
    const webhooks = new WebhookService(
      resolveOptions({ apiKey: 'akm_x', audience: null, webhookSecret: SECRET, replayStore: false, logger: false, now: () => Number.NaN }),
    );
    expect(codeOf(() => webhooks.verify(BODY, signed(BODY)))).toBe('webhook/timestamp_expired');
  });
});

describe('step 5: signatures (W-10..W-20)', () => {
  const mac = (body: string | Uint8Array, secret = SECRET) => sign(secret, ID, T, body).slice(3);

  it('W-10: a random 32-byte signature → webhook/invalid_signature', () => {
    expect(codeOf(() => service().verify(BODY, headers(ID, T, `v1,${randomBytes(32).toString('base64')}`)))).toBe(
      'webhook/invalid_signature',
    );
  });

  it('W-11: signed with another secret → webhook/invalid_signature', () => {
    expect(codeOf(() => service().verify(BODY, signed(BODY, T, ID, OTHER_SECRET)))).toBe('webhook/invalid_signature');
  });

  it.each([
    ['a digit flipped', BODY.replace('123', '124')],
    ['a trailing newline', `${BODY}\n`],
    ['a BOM in front', `\ufeff${BODY}`],
    ['a space added', BODY.replace(':', ': ')],
  ])('W-12: body with %s → webhook/invalid_signature', (_label, tampered) => {
    expect(codeOf(() => service().verify(tampered, signed(BODY)))).toBe('webhook/invalid_signature');
  });

  it('W-15: other versions and syntaxes never match', () => {
    const value = mac(BODY);
    for (const entry of [
      `v1a,${value}`,
      `v2,${value}`,
      `V1,${value}`,
      value,
      `v1=${value}`,
      `v1,${value},extra`,
      `v1,,${value}`,
      `v1:${value}`,
    ]) {
      expect(codeOf(() => service().verify(BODY, headers(ID, T, entry)))).toBe('webhook/invalid_signature');
      expect(service().verify(BODY, headers(ID, T, `${entry} v1,${value}`)).deliveryId).toBe(ID);
    }
  });

  it('W-16 rotation: the SDK configured with [new, old] accepts either; a delivery signed with both passes either config', () => {
    const rotated = service({ webhookSecret: [OTHER_SECRET, SECRET] });
    expect(rotated.verify(BODY, signed(BODY)).deliveryId).toBe(ID);
    expect(rotated.verify(BODY, signed(BODY, T, ID, OTHER_SECRET)).deliveryId).toBe(ID);
    const third = `whsec_${randomBytes(24).toString('base64')}`;
    expect(codeOf(() => rotated.verify(BODY, signed(BODY, T, ID, third)))).toBe('webhook/invalid_signature');
    const both = `v1,${mac(BODY, OTHER_SECRET)} v1,${mac(BODY)}`;
    expect(service().verify(BODY, headers(ID, T, both)).deliveryId).toBe(ID);
    expect(service({ webhookSecret: OTHER_SECRET }).verify(BODY, headers(ID, T, both)).deliveryId).toBe(ID);
    const bad = `v1,${randomBytes(32).toString('base64')}`;
    expect(service().verify(BODY, headers(ID, T, `${bad} v1,${mac(BODY)}`)).deliveryId).toBe(ID);
    expect(service().verify(BODY, headers(ID, T, `v1,${mac(BODY)} ${bad}`)).deliveryId).toBe(ID);
  });

  it('W-17: 5000 entries (15 KB) with the valid one last → invalid, only the first 10 looked at, HMAC computed once', () => {
    const decoys = Array.from({ length: 10 }, () => `v1,${randomBytes(32).toString('base64')}`);
    const header = [...decoys, ...Array.from({ length: 4989 }, () => 'v2'), `v1,${mac(BODY)}`].join(' ');
    expect(header.split(' ')).toHaveLength(5000);
    expect(header.length).toBeGreaterThan(15_000);
    const hmacs = countHmacs();
    try {
      const started = process.hrtime.bigint();
      expect(codeOf(() => service().verify(BODY, headers(ID, T, header)))).toBe('webhook/invalid_signature');
      const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
      expect(hmacs.calls()).toBe(1);
      expect(elapsedMs).toBeLessThan(50); // generous for CI; the work is bounded by the 10-entry cap
      // Two configured secrets: one HMAC per secret, still not per entry.
      expect(codeOf(() => service({ webhookSecret: [SECRET, OTHER_SECRET] }).verify(BODY, headers(ID, T, header)))).toBe(
        'webhook/invalid_signature',
      );
      expect(hmacs.calls()).toBe(3);
    } finally {
      hmacs.restore();
    }
  });

  it('W-17: no well-formed v1 entry among the first 10 → no HMAC at all', () => {
    const hmacs = countHmacs();
    try {
      const header = [...Array.from({ length: 10 }, () => 'v2,x'), `v1,${mac(BODY)}`].join(' ');
      expect(codeOf(() => service().verify(BODY, headers(ID, T, header)))).toBe('webhook/invalid_signature');
      expect(hmacs.calls()).toBe(0);
    } finally {
      hmacs.restore();
    }
  });

  it('the 10th entry is considered, the 11th is not; empty tokens (extra spaces) are not entries', () => {
    const valid = `v1,${mac(BODY)}`;
    const nine = Array.from({ length: 9 }, () => 'v2,x');
    expect(service().verify(BODY, headers(ID, T, [...nine, valid].join(' '))).deliveryId).toBe(ID);
    expect(codeOf(() => service().verify(BODY, headers(ID, T, [...nine, 'v2,y', valid].join(' '))))).toBe('webhook/invalid_signature');
    expect(service().verify(BODY, headers(ID, T, `   ${[...nine, valid].join('   ')}  `)).deliveryId).toBe(ID);
  });

  it.each([
    ['v1,', 'v1,'],
    ['v1,=', 'v1,='],
    ['v1,!!!!', 'v1,!!!!'],
    ['31 bytes', `v1,${randomBytes(31).toString('base64')}`],
    ['33 bytes', `v1,${randomBytes(33).toString('base64')}`],
    ['44 characters of "="', `v1,${'='.repeat(44)}`],
    ['a 10 KB entry', `v1,${'A'.repeat(10_240)}`],
    ['a NUL inside', `v1,${'A'.repeat(42)}\u0000=`],
  ])('W-18: malformed entry (%s) → webhook/invalid_signature, no exception escapes', (_label, entry) => {
    expect(codeOf(() => service().verify(BODY, headers(ID, T, entry)))).toBe('webhook/invalid_signature');
  });

  it('W-20: URL-safe alphabet, missing padding, embedded whitespace or case changes of the right MAC all fail', () => {
    const value = V1.signature.slice(3); // contains "+" and "/"
    expect(value).toMatch(/[+/]/);
    const variants = [
      value.replace(/\+/g, '-').replace(/\//g, '_'),
      value.replace(/\+/g, '-').replace(/\//g, '_').replace(/=$/, ''),
      value.replace(/=$/, ''),
      `${value}=`,
      `${value.slice(0, 10)} ${value.slice(10)}`,
      `${value.slice(0, 10)}\t${value.slice(10)}`,
      `${value.slice(0, 10)}\n${value.slice(10)}`,
      value.toLowerCase(),
      ` ${value}`,
    ];
    expect(new Set(variants.map((v) => Buffer.from(v, 'base64').toString('hex')))).toContain(Buffer.from(value, 'base64').toString('hex'));
    for (const variant of variants) {
      expect(codeOf(() => service().verify(V1.body, headers(ID, T, `v1,${variant}`)))).toBe('webhook/invalid_signature');
    }
  });

  it('W-21: a re-serialised body fails; a parsed object is refused as a body', () => {
    const sent = '{"amount":1.0, "name":"\\u00e9", "b":2,"a":1}';
    const reserialised = JSON.stringify(JSON.parse(sent));
    expect(reserialised).toBe('{"amount":1,"name":"é","b":2,"a":1}');
    expect(codeOf(() => service().verify(reserialised, signed(sent)))).toBe('webhook/invalid_signature');
    expect(codeOf(() => service().verify(JSON.parse(sent) as string, signed(sent)))).toBe('webhook/invalid_body');
    expect(service().verify(sent, signed(sent)).payload).toEqual(JSON.parse(sent));
  });

  it('W-23: no Unicode normalisation: signed NFC, delivered NFD → invalid; a string body is hashed as UTF-8', () => {
    const nfc = Buffer.from('7b226e223a22c3a9227d', 'hex'); // {"n":"é"} with C3 A9
    const nfd = Buffer.from('7b226e223a2265cc81227d', 'hex'); // {"n":"é"} with 65 CC 81
    expect(codeOf(() => service().verify(nfd, signed(nfc)))).toBe('webhook/invalid_signature');
    expect(codeOf(() => service().verify(nfd.toString('utf8'), signed(nfc)))).toBe('webhook/invalid_signature');
    expect(service().verify(nfc.toString('utf8'), signed(nfc)).payload).toEqual({ n: 'é' });
    expect(service().verify(nfd, signed(nfd)).payload).toEqual({ n: 'e\u0301' });
  });

  it('W-24: invalid UTF-8 signed over its raw bytes → signature valid, then webhook/invalid_body', () => {
    const invalid = Buffer.from([0x7b, 0xff, 0x7d]);
    expect(codeOf(() => service().verify(invalid, signed(invalid)))).toBe('webhook/invalid_body');
  });

  it('W-24 collision check: a MAC over the U+FFFD replacement (7B EF BF BD 7D) does not validate 7B FF 7D', () => {
    const invalid = Buffer.from([0x7b, 0xff, 0x7d]);
    const replaced = Buffer.from([0x7b, 0xef, 0xbf, 0xbd, 0x7d]);
    expect(invalid.toString('utf8')).toBe(replaced.toString('utf8')); // what a decode-first verifier would hash
    expect(codeOf(() => service().verify(invalid, signed(replaced)))).toBe('webhook/invalid_signature');
  });
});

describe('step 7: a UTF-8 JSON object (W-24, W-25)', () => {
  it.each([
    ['not JSON', 'hello'],
    ['an array', '[1,2]'],
    ['null', 'null'],
    ['a string', '"user.created"'],
    ['a number', '1'],
    ['empty', ''],
    ['whitespace', ' \n'],
    ['truncated', '{"type":'],
    ['two values', '{} {}'],
    ['a BOM in front (signed with it)', '\ufeff{"type":"x"}'],
  ])('%s → webhook/invalid_body (400)', (_label, body) => {
    const error = failure(() => service().verify(Buffer.from(body), signed(body)));
    expect([error.code, error.status]).toEqual(['webhook/invalid_body', 400]);
  });

  it('invalid UTF-8 sequences (overlong, surrogate, truncated) → webhook/invalid_body', () => {
    for (const hex of ['7b22223ac0af7d', '7b2261223a22eda080227d', '7b2261223a22e282227d', '7b2261223a22f8888080807d']) {
      const body = Buffer.from(hex, 'hex');
      expect(codeOf(() => service().verify(body, signed(body)))).toBe('webhook/invalid_body');
    }
  });

  it('a string body with a lone surrogate (no exact UTF-8 form) → webhook/invalid_body', () => {
    const body = '{"a":"\ud800"}';
    expect(Buffer.from(body, 'utf8').toString('hex')).toContain('efbfbd'); // what was hashed
    expect(codeOf(() => service().verify(body, signed(body)))).toBe('webhook/invalid_body');
    expect(service().verify('{"a":"\ud83d\ude00"}', signed('{"a":"\ud83d\ude00"}')).payload).toEqual({ a: '😀' });
  });

  it('an empty object and nested objects are payloads; whitespace around the object is fine', () => {
    expect(service().verify(Buffer.from('{}'), signed('{}')).payload).toEqual({});
    expect(service().verify(' {"a":{"b":[1]}}\n', signed(' {"a":{"b":[1]}}\n')).payload).toEqual({ a: { b: [1] } });
  });

  it('"__proto__" in the body is plain data', () => {
    const body = '{"__proto__":{"polluted":true},"type":"x"}';
    const payload = service().verify(body, signed(body)).payload as Record<string, unknown>;
    expect(Object.getPrototypeOf(payload)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('the payload is typed by the caller', () => {
    const event = service().verify<{ test: number }>(V1.body, headers(ID, T, V1.signature));
    const value: number = event.payload.test;
    expect(value).toBe(2432232314);
  });
});

describe('W-34: errors never carry the secret, the expected signature or the body', () => {
  it('no failing case exposes them in message, JSON, string form or cause', () => {
    const canary = `whsec_${Buffer.from('canary-secret-canary-secret-1234').toString('base64')}`;
    const body = '{"card":"4111111111111111","type":"payment"}';
    const expected = sign(canary, ID, T, body);
    const webhooks = service({ webhookSecret: canary });
    const cases: [unknown, WebhookHeaders][] = [
      [body, headers(ID, T, `v1,${randomBytes(32).toString('base64')}`)],
      [`${body}x`, headers(ID, T, expected)],
      ['{"card":"4111111111111111"', headers(ID, T, sign(canary, ID, T, '{"card":"4111111111111111"'))],
      [Buffer.from([0x7b, 0xff, 0x7d]), headers(ID, T, sign(canary, ID, T, Buffer.from([0x7b, 0xff, 0x7d])))],
      [body, headers(ID, T + 999, expected)],
      [body, { 'x-rakomi-signature': expected }],
      [JSON.parse(body), headers(ID, T, expected)],
      ['x'.repeat(2_000_000), headers(ID, T, expected)],
    ];
    for (const [raw, h] of cases) {
      const error = failure(() => webhooks.verify(raw as string, h));
      expect(Object.hasOwn(ERROR_CATALOG, error.code)).toBe(true);
      const exposed = [error.message, JSON.stringify(error), String(error), error.suggestion, String(error.cause ?? '')].join('\n');
      for (const secretText of [canary, canary.slice(6), expected, expected.slice(3), '4111111111111111']) {
        expect(exposed).not.toContain(secretText);
      }
      expect(error.message).toBe(ERROR_CATALOG[error.code].message);
      expect(error.cause).toBeUndefined();
    }
  });
});

describe('configuration seen from verify (C-06, C-08)', () => {
  it('a secret with surrounding whitespace (a .env trailing newline) verifies the vector', () => {
    expect(service({ webhookSecret: `  ${SECRET}\n` }).verify(V1.body, headers(ID, T, V1.signature)).deliveryId).toBe(ID);
  });

  it('webhooks are optional at construction: the service builds without a secret and fails at verify()', () => {
    expect(() => new WebhookService(resolveOptions({ apiKey: 'akm_x', audience: null, logger: false }))).not.toThrow();
  });
});

describe('claimDelivery: step 6, replay protection (W-29..W-31, R-11, R-12)', () => {
  class RecordingStore implements ReplayStore {
    readonly calls: [string, number][] = [];
    constructor(private readonly inner: ReplayStore) {}
    claim(key: string, ttlSeconds: number): Promise<boolean> {
      this.calls.push([key, ttlSeconds]);
      return this.inner.claim(key, ttlSeconds);
    }
  }

  it('W-29: the same delivery twice → true, then false; key is "<id>.<timestamp>", ttl 2 × tolerance + 60', async () => {
    const store = new RecordingStore(new MemoryReplayStore());
    const webhooks = service({ replayStore: store, webhookTolerance: 120 });
    const event = webhooks.verify(BODY, signed(BODY));
    await expect(webhooks.claimDelivery(event)).resolves.toBe(true);
    await expect(webhooks.claimDelivery(webhooks.verify(BODY, signed(BODY)))).resolves.toBe(false);
    expect(store.calls).toEqual([
      [`${ID}.${T}`, 300],
      [`${ID}.${T}`, 300],
    ]);
  });

  it('W-31: a genuine retry (same id, new timestamp, re-signed) is not a replay', async () => {
    const webhooks = service({ replayStore: new MemoryReplayStore() }, T + 30);
    await expect(webhooks.claimDelivery(webhooks.verify(BODY, signed(BODY)))).resolves.toBe(true);
    await expect(webhooks.claimDelivery(webhooks.verify(BODY, signed(BODY, T + 30)))).resolves.toBe(true);
    await expect(webhooks.claimDelivery(webhooks.verify(BODY, signed(BODY, T + 30)))).resolves.toBe(false);
  });

  it('W-30: a replay after the window is stopped by verify() before any claim', () => {
    expect(codeOf(() => service({ replayStore: new MemoryReplayStore() }, T + 360).verify(BODY, signed(BODY)))).toBe(
      'webhook/timestamp_expired',
    );
  });

  it('replayStore: false → always true', async () => {
    const webhooks = service({ replayStore: false });
    const event = webhooks.verify(BODY, signed(BODY));
    await expect(webhooks.claimDelivery(event)).resolves.toBe(true);
    await expect(webhooks.claimDelivery(event)).resolves.toBe(true);
  });

  it('the default store is in memory and on', async () => {
    const webhooks = new WebhookService(
      resolveOptions({ apiKey: 'akm_x', audience: null, webhookSecret: SECRET, logger: false, now: () => T * 1000 }),
    );
    const event = webhooks.verify(BODY, signed(BODY));
    await expect(webhooks.claimDelivery(event)).resolves.toBe(true);
    await expect(webhooks.claimDelivery(event)).resolves.toBe(false);
  });

  it('an event with an invalid timestamp is refused before touching the store', async () => {
    const store = new RecordingStore(new MemoryReplayStore());
    const webhooks = service({ replayStore: store });
    await expect(webhooks.claimDelivery({ deliveryId: ID, timestamp: new Date(Number.NaN), payload: {} })).rejects.toThrow(RangeError);
    expect(store.calls).toHaveLength(0);
  });

  it('R-12: a failing store rejects claimDelivery with webhook/replay_store_unavailable, keeping the cause', async () => {
    const outage = new Error('store down');
    const webhooks = service({ replayStore: { claim: () => Promise.reject(outage) } });
    const claimed = webhooks.claimDelivery(webhooks.verify(BODY, signed(BODY)));
    await expect(claimed).rejects.toMatchObject({ code: 'webhook/replay_store_unavailable', status: 503, retryAfter: 5, cause: outage });
  });

  it.each([
    [
      'throws synchronously',
      () => {
        throw new Error('sync');
      },
    ],
    ['resolves to undefined', () => Promise.resolve(undefined)],
    ['resolves to a string', () => Promise.resolve('OK')],
  ])('R-12: a store that %s fails closed with webhook/replay_store_unavailable', async (_label, claim) => {
    const webhooks = service({ replayStore: { claim } as unknown as ReplayStore });
    await expect(webhooks.claimDelivery(webhooks.verify(BODY, signed(BODY)))).rejects.toMatchObject({
      code: 'webhook/replay_store_unavailable',
    });
  });

  it('R-11: 1000 concurrent valid webhooks (100 deliveries × 10 copies) → each delivery claimed exactly once', async () => {
    const webhooks = service({ replayStore: new MemoryReplayStore() });
    const requests = Array.from({ length: 1000 }, (_, i) => {
      const id = `msg_${i % 100}`;
      return () => webhooks.claimDelivery(webhooks.verify(BODY, signed(BODY, T, id)));
    });
    const results = await Promise.all(requests.map((run) => run()));
    expect(results.filter(Boolean)).toHaveLength(100);
  });
});

describe('every failure is a catalog RakomiError', () => {
  it('isRakomiError holds and the code is a webhook/* or config/* code', () => {
    const error = failure(() => service().verify(BODY, {}));
    expect(isRakomiError(error)).toBe(true);
    expect(error.toJSON()).toEqual({
      code: 'webhook/missing_header',
      message: ERROR_CATALOG['webhook/missing_header'].message,
      suggestion: ERROR_CATALOG['webhook/missing_header'].suggestion,
      docs_url: 'https://rakomi.com/docs/errors/webhook/missing_header',
    });
  });
});
