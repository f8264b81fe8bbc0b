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

/**
 * How HTTP stacks join a repeated header into one value: Node's `req.headers` and a Fetch
 * `Headers` both use `", "`. None of our three headers can contain it legitimately (ids and
 * timestamps have no spaces, signature entries are separated by single spaces and end in `=`),
 * so a value containing it is read back as its repeats.
 */
const JOINED_REPEAT_SEPARATOR = ', ';

function isFetchHeaders(headers: object): headers is Headers {
  return typeof (headers as Partial<Headers>).get === 'function' && typeof (headers as Partial<Headers>).has === 'function';
}

/** Appends one header value, split back into its repeats when an HTTP stack joined them. */
function pushString(target: unknown[], value: string): void {
  if (!value.includes(JOINED_REPEAT_SEPARATOR)) {
    target.push(value);
    return;
  }
  for (const part of value.split(JOINED_REPEAT_SEPARATOR)) target.push(part);
}

/** Appends a value or every entry of an array (Node's `headersDistinct`); other types are kept for step 3 to reject. */
function pushValue(target: unknown[], value: unknown): void {
  if (typeof value === 'string') pushString(target, value);
  else if (Array.isArray(value)) {
    for (const entry of value as unknown[]) {
      if (typeof entry === 'string') pushString(target, entry);
      else target.push(entry);
    }
  } else if (value !== undefined) target.push(value);
}

/** Our field for a header name in any casing, or undefined. */
function fieldOf(key: string): WebhookHeaderField | undefined {
  const name = key.toLowerCase();
  if (name === WEBHOOK_HEADER.deliveryId) return 'deliveryId';
  if (name === WEBHOOK_HEADER.timestamp) return 'timestamp';
  if (name === WEBHOOK_HEADER.signature) return 'signature';
  return undefined;
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
      const value: unknown = headers.get(WEBHOOK_HEADER[field]);
      if (typeof value === 'string') pushString(collected[field], value);
    }
    return collected;
  }
  const record = headers as Record<string, unknown>;
  // for…in allocates no key list; own keys only, so a polluted prototype cannot add a header.
  for (const key in record) {
    const field = fieldOf(key);
    if (field !== undefined && Object.hasOwn(record, key)) pushValue(collected[field], record[key]);
  }
  return collected;
}

function isBlank(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

function hasNonBlank(values: readonly unknown[]): boolean {
  for (const value of values) if (!isBlank(value)) return true;
  return false;
}

/**
 * Step 2: each header is present with a non-blank value.
 * @throws RakomiError `webhook/missing_header`
 */
export function requirePresentHeaders(collected: CollectedWebhookHeaders): void {
  if (!hasNonBlank(collected.deliveryId) || !hasNonBlank(collected.timestamp) || !hasNonBlank(collected.signature)) {
    throw new RakomiError('webhook/missing_header');
  }
}

/**
 * Step 3 (part): one header, one value. Repeats that agree collapse to that value; repeats that
 * differ (`string[]` entries, several casings of one name, a `", "`-joined value) are
 * rejected: the sender never repeats a header, so a proxy or an attacker added one.
 * @throws RakomiError `webhook/invalid_signature`
 */
export function singleHeaderValue(values: readonly unknown[]): string {
  const first = values[0];
  if (typeof first !== 'string') throw new RakomiError('webhook/invalid_signature');
  for (let i = 1; i < values.length; i += 1) {
    if (values[i] !== first) throw new RakomiError('webhook/invalid_signature');
  }
  return first;
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
