import { randomBytes } from 'node:crypto';
import { decodeWebhookSecret } from '../options/webhook-secret.js';
import { WebhookMac } from '../webhook/webhook-mac.js';

/** What to sign a webhook with. */
export interface SignWebhookOptions {
  /** `whsec_` secrets; one `v1,` entry per secret, in this order (rotation). */
  secrets: string[];
  /** `X-Rakomi-Delivery-Id`. Not validated, so tests can build malformed ids. @default `msg_` + random */
  deliveryId?: string;
  /** `X-Rakomi-Timestamp` in Unix seconds. Not validated. @default the current second */
  timestamp?: number;
}

/** A signed delivery: send `body` byte for byte with these headers. */
export interface SignedWebhook<B extends string | Buffer = string> {
  body: B;
  headers: Record<string, string>;
}

/**
 * The `X-Rakomi-Signature` value for exact header texts and body bytes, with no validation of
 * any input (a test may sign a malformed timestamp such as `1614265330abc` over its exact text).
 */
export function webhookSignature(
  secrets: readonly string[],
  deliveryId: string,
  timestamp: string | number,
  body: string | Uint8Array,
): string {
  const prefix = `${deliveryId}.${timestamp}.`;
  return secrets.map((secret) => `v1,${new WebhookMac(decodeWebhookSecret(secret)).sign(prefix, body).toString('base64')}`).join(' ');
}

/**
 * Signs a webhook the way Rakomi does. A string is signed as its UTF-8 bytes, a `Buffer` or
 * `Uint8Array` as it is (and returned as a `Buffer`, so invalid UTF-8 survives), any other
 * object as `JSON.stringify(body)`, computed once.
 *
 * @example
 * const { body, headers } = signWebhook({ type: 'user.created' }, { secrets: [secret] });
 * await request(app.getHttpServer()).post('/webhooks').set(headers).type('json').send(body);
 * @throws RakomiError `config/invalid_webhook_secret` / `config/missing_webhook_secret` for a bad secret;
 *   RangeError without any secret
 */
export function signWebhook(body: Buffer | Uint8Array, options: SignWebhookOptions): SignedWebhook<Buffer>;
export function signWebhook(body: string | object, options: SignWebhookOptions): SignedWebhook<string>;
export function signWebhook(body: string | Buffer | object, options: SignWebhookOptions): SignedWebhook<string | Buffer>;
export function signWebhook(body: string | Buffer | object, options: SignWebhookOptions): SignedWebhook<string | Buffer> {
  if (options.secrets.length === 0) throw new RangeError('signWebhook needs at least one secret');
  const bytes =
    typeof body === 'string'
      ? body
      : ArrayBuffer.isView(body)
        ? Buffer.from(body.buffer, body.byteOffset, body.byteLength)
        : JSON.stringify(body);
  const deliveryId = options.deliveryId ?? `msg_${randomBytes(18).toString('base64url')}`;
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  return {
    body: bytes,
    headers: {
      'X-Rakomi-Delivery-Id': deliveryId,
      'X-Rakomi-Timestamp': String(timestamp),
      'X-Rakomi-Signature': webhookSignature(options.secrets, deliveryId, timestamp, bytes),
    },
  };
}
