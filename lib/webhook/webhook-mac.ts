import { createHmac } from 'node:crypto';

/**
 * HMAC-SHA256 under one webhook secret. `sign()` is the only place the SDK hashes a webhook, so
 * the cost of a verification is one call per configured secret.
 */
export class WebhookMac {
  readonly #key: Buffer;

  /** @param key the decoded secret bytes (never the `whsec_` string) */
  constructor(key: Buffer) {
    this.#key = key;
  }

  /**
   * `HMAC(key, prefix || body)`, 32 bytes. The body is hashed as it is, without a copy; a string
   * is hashed as its UTF-8 bytes.
   * @param prefix `deliveryId "." timestamp "."` (ASCII once the headers passed their syntax check)
   */
  sign(prefix: string, body: string | Uint8Array): Buffer {
    const hmac = createHmac('sha256', this.#key).update(prefix, 'utf8');
    if (typeof body === 'string') hmac.update(body, 'utf8');
    else hmac.update(body);
    return hmac.digest();
  }
}
