import { RakomiError } from '../errors/rakomi.error.js';

const SECRET_PREFIX = 'whsec_';
const CANONICAL_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const MIN_KEY_BYTES = 24;
const MAX_KEY_BYTES = 64;

/**
 * Decodes `whsec_<base64>` into the HMAC key bytes.
 * @throws RakomiError `config/missing_webhook_secret` when blank, `config/invalid_webhook_secret` when malformed
 */
export function decodeWebhookSecret(secret: unknown): Buffer {
  if (typeof secret !== 'string') throw new RakomiError('config/invalid_webhook_secret');
  const trimmed = secret.trim();
  if (trimmed === '' || trimmed === SECRET_PREFIX) throw new RakomiError('config/missing_webhook_secret');
  if (!trimmed.startsWith(SECRET_PREFIX)) throw new RakomiError('config/invalid_webhook_secret');
  const encoded = trimmed.slice(SECRET_PREFIX.length);
  if (!CANONICAL_BASE64.test(encoded)) throw new RakomiError('config/invalid_webhook_secret');
  const key = Buffer.from(encoded, 'base64');
  if (key.length < MIN_KEY_BYTES || key.length > MAX_KEY_BYTES) {
    throw new RakomiError('config/invalid_webhook_secret');
  }
  return key;
}

/** Decodes one secret or a rotation list; `undefined` means webhooks are not configured. */
export function decodeWebhookSecrets(value: unknown): Buffer[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) return [decodeWebhookSecret(value)];
  if (value.length === 0) throw new RakomiError('config/missing_webhook_secret');
  return value.map(decodeWebhookSecret);
}
