import { Buffer, isUtf8 } from 'node:buffer';
import { RakomiError } from '../errors/rakomi.error.js';
import { isJsonObject } from '../json/is-json-object.js';
import { stripPrototypeMembers } from '../json/strip-prototype-members.js';

/** The raw body as it may be hashed: a UTF-8 string or the received bytes. */
export type RawWebhookBody = string | Uint8Array;

/** HTTP status of an oversized body. */
const PAYLOAD_TOO_LARGE = 413;
/** A UTF-16 code unit never takes more than 3 UTF-8 bytes. */
const MAX_UTF8_BYTES_PER_UNIT = 3;
/** A surrogate that is not half of a pair: such a string has no exact UTF-8 form. */
const LONE_SURROGATE = /\p{Cs}/u;

/** True for a `Buffer` or `Uint8Array`, also one created in another realm (vm contexts, jest). */
function isByteArray(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array || (ArrayBuffer.isView(value) && (value as Uint8Array)[Symbol.toStringTag] === 'Uint8Array');
}

/** True for what a raw webhook body may be: a string or the received bytes (see {@link requireRawBody}). */
export function isRawWebhookBody(value: unknown): value is RawWebhookBody {
  return typeof value === 'string' || isByteArray(value);
}

/** UTF-8 size of a string, without encoding it when its length already decides the answer. */
function exceedsUtf8Bytes(text: string, maxBytes: number): boolean {
  if (text.length > maxBytes) return true;
  if (text.length * MAX_UTF8_BYTES_PER_UNIT <= maxBytes) return false;
  return Buffer.byteLength(text, 'utf8') > maxBytes;
}

/**
 * Step 1: the body must be the raw bytes (`Buffer`, `Uint8Array`) or a `string`, at most
 * `maxBytes` long. A parsed object or `undefined` means the raw body was not preserved.
 * @throws RakomiError `webhook/invalid_body` (status 413 when over `maxBytes`)
 */
export function requireRawBody(body: unknown, maxBytes: number): RawWebhookBody {
  if (typeof body === 'string') {
    if (exceedsUtf8Bytes(body, maxBytes)) throw new RakomiError('webhook/invalid_body', { status: PAYLOAD_TOO_LARGE });
    return body;
  }
  if (isByteArray(body)) {
    if (body.byteLength > maxBytes) throw new RakomiError('webhook/invalid_body', { status: PAYLOAD_TOO_LARGE });
    return body;
  }
  throw new RakomiError('webhook/invalid_body');
}

/**
 * Step 7: the body is UTF-8 (strict: no replacement characters, a BOM is not stripped) JSON
 * whose top level is an object; `__proto__` and `constructor.prototype` members are removed. The error carries no cause: parser messages quote the body.
 * @throws RakomiError `webhook/invalid_body`
 */
export function parseJsonObject(body: RawWebhookBody): object {
  let text: string;
  if (typeof body === 'string') {
    // It was hashed as UTF-8, where a lone surrogate became U+FFFD: parsing the string as it is
    // would yield a payload other than the signed bytes.
    if (LONE_SURROGATE.test(body)) throw new RakomiError('webhook/invalid_body');
    text = body;
  } else {
    if (!isUtf8(body)) throw new RakomiError('webhook/invalid_body');
    text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new RakomiError('webhook/invalid_body');
  }
  if (!isJsonObject(parsed)) throw new RakomiError('webhook/invalid_body');
  return stripPrototypeMembers(parsed, text);
}
