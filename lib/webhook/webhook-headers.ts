import { RakomiError } from '../errors/rakomi.error.js';

/** The request headers as a framework hands them over: a plain object (any name casing) or a Fetch `Headers`. */
export type WebhookHeaders = Record<string, string | string[] | undefined> | Headers;

/** Lower-cased names of the three signed-webhook headers. */
export const WEBHOOK_HEADER = {
  deliveryId: 'x-rakomi-delivery-id',
  timestamp: 'x-rakomi-timestamp',
  signature: 'x-rakomi-signature',
} as const;

type WebhookHeaderField = keyof typeof WEBHOOK_HEADER;
const FIELDS = Object.keys(WEBHOOK_HEADER) as WebhookHeaderField[];

/** Every value found for each header, before any check: repeats are kept, not merged. */
export type CollectedWebhookHeaders = Record<WebhookHeaderField, unknown[]>;

/** The three header values once present and unambiguous. */
export type WebhookHeaderValues = Record<WebhookHeaderField, string>;

/** How HTTP stacks join a repeated header into one value (Node's `req.headers`, Fetch `Headers`). */
const REPEAT_SEPARATOR = ', ';

function isFetchHeaders(headers: object): headers is Headers {
  return typeof (headers as Partial<Headers>).get === 'function' && typeof (headers as Partial<Headers>).has === 'function';
}

function pushValue(target: unknown[], value: unknown): void {
  if (value === undefined) return;
  if (Array.isArray(value)) target.push(...(value as unknown[]));
  else target.push(value);
}

/**
 * Collects every value of the three headers. Names are case-insensitive: a plain object may
 * hold the same header under several casings, and each of them counts as a repeat.
 */
export function collectWebhookHeaders(headers: unknown): CollectedWebhookHeaders {
  const collected: CollectedWebhookHeaders = { deliveryId: [], timestamp: [], signature: [] };
  if (typeof headers !== 'object' || headers === null) return collected;
  if (isFetchHeaders(headers)) {
    for (const field of FIELDS) {
      const value = headers.get(WEBHOOK_HEADER[field]);
      if (value !== null) collected[field].push(value);
    }
    return collected;
  }
  const record = headers as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    // Cheap length filter first: most request headers are none of ours.
    if (key.length !== WEBHOOK_HEADER.deliveryId.length && key.length !== WEBHOOK_HEADER.signature.length) continue;
    const name = key.toLowerCase();
    if (name === WEBHOOK_HEADER.deliveryId) pushValue(collected.deliveryId, record[key]);
    else if (name === WEBHOOK_HEADER.timestamp) pushValue(collected.timestamp, record[key]);
    else if (name === WEBHOOK_HEADER.signature) pushValue(collected.signature, record[key]);
  }
  return collected;
}

function isBlank(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

/**
 * Step 2: each header is present with a non-blank value.
 * @throws RakomiError `webhook/missing_header`
 */
export function requirePresentHeaders(collected: CollectedWebhookHeaders): void {
  for (const field of FIELDS) {
    if (collected[field].every(isBlank)) throw new RakomiError('webhook/missing_header');
  }
}

/**
 * Step 3 (part): one header, one value. Repeats that agree collapse to that value; repeats that
 * differ (array entries, or values an HTTP stack joined with `", "`) are rejected, since the
 * sender never repeats a header and a proxy or attacker may have added one.
 * @throws RakomiError `webhook/invalid_signature`
 */
export function singleHeaderValue(values: readonly unknown[]): string {
  const first = values[0];
  if (values.length === 1 && typeof first === 'string' && !first.includes(REPEAT_SEPARATOR)) return first;
  let single: string | undefined;
  for (const value of values) {
    if (typeof value !== 'string') throw new RakomiError('webhook/invalid_signature');
    const parts = value.includes(REPEAT_SEPARATOR) ? value.split(REPEAT_SEPARATOR) : [value];
    for (const part of parts) {
      if (single === undefined) single = part;
      else if (part !== single) throw new RakomiError('webhook/invalid_signature');
    }
  }
  if (single === undefined) throw new RakomiError('webhook/invalid_signature');
  return single;
}

/**
 * Steps 2 and 3 (repeats) for the three headers, in that order: presence of all three is
 * decided before any of them is judged ambiguous.
 * @throws RakomiError `webhook/missing_header`, then `webhook/invalid_signature`
 */
export function readWebhookHeaders(headers: unknown): WebhookHeaderValues {
  const collected = collectWebhookHeaders(headers);
  requirePresentHeaders(collected);
  return {
    deliveryId: singleHeaderValue(collected.deliveryId),
    timestamp: singleHeaderValue(collected.timestamp),
    signature: singleHeaderValue(collected.signature),
  };
}
