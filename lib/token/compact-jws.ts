import { Buffer, isUtf8 } from 'node:buffer';
import { RakomiError } from '../errors/rakomi.error.js';
import { isJsonObject } from '../json/is-json-object.js';
import { stripPrototypeMembers } from '../json/strip-prototype-members.js';

/** Longest token accepted, in characters; checked before any decoding. */
export const MAX_TOKEN_LENGTH = 8192;
/** The only accepted JWS algorithm. */
export const ACCEPTED_ALGORITHM = 'RS256';

/** A `kid` the SDK will look up: 1–256 printable ASCII characters. */
const KID_PATTERN = /^[\x20-\x7e]{1,256}$/;
const BASE64URL_CHARS = /^[A-Za-z0-9_-]*$/;
/** Value of each base64url character by char code, for the trailing-bits check. */
const BASE64URL_VALUES = new Uint8Array(128);
[...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'].forEach((char, value) => {
  BASE64URL_VALUES[char.charCodeAt(0)] = value;
});

/** The parts of a compact JWS that passed the structural checks; nothing here is verified yet. */
export interface ParsedCompactJws {
  /** The decoded protected header (a JSON object). */
  readonly header: Readonly<Record<string, unknown>>;
  /** The header's `kid`, shape-checked. */
  readonly kid: string;
  /** `header.payload` exactly as received: the bytes the signature covers. */
  readonly signingInput: string;
  /** The payload segment, still encoded: claims are not read before the signature is verified. */
  readonly payloadSegment: string;
  /** The decoded signature bytes (may be empty). */
  readonly signature: Buffer;
}

function malformed(): RakomiError {
  return new RakomiError('token/malformed');
}

/**
 * True when `segment` is base64url in its one canonical form: alphabet `[A-Za-z0-9_-]`, no
 * padding, no whitespace, a length that is not 1 (mod 4) and zero trailing bits. A token that
 * passes therefore has exactly one string form (no malleability for caches and deny-lists).
 */
export function isCanonicalBase64url(segment: string): boolean {
  if (!BASE64URL_CHARS.test(segment)) return false;
  const rest = segment.length % 4;
  if (rest === 0) return true;
  if (rest === 1) return false;
  // The alphabet check above makes the last character one of the table's.
  const last = BASE64URL_VALUES[segment.charCodeAt(segment.length - 1)] as number;
  return rest === 2 ? (last & 0x0f) === 0 : (last & 0x03) === 0;
}

/**
 * Decodes a canonical base64url segment holding a strict UTF-8 JSON object.
 * Duplicate members resolve like `JSON.parse` (the last one wins), the same as the signer's view;
 * `__proto__` and `constructor.prototype` members are removed (see {@link stripPrototypeMembers}).
 * @throws RakomiError `token/malformed`
 */
export function decodeJsonObjectSegment(segment: string): Record<string, unknown> {
  const bytes = Buffer.from(segment, 'base64url');
  // A BOM is kept by toString() and then refused by JSON.parse: no silent stripping.
  if (!isUtf8(bytes)) throw malformed();
  const text = bytes.toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw malformed();
  }
  if (!isJsonObject(value)) throw malformed();
  return stripPrototypeMembers(value, text);
}

/**
 * The size cap of step 2 of `TokenService`'s checks, before the token is hashed or decoded.
 * @throws RakomiError `token/malformed` when longer than {@link MAX_TOKEN_LENGTH}
 */
export function checkTokenLength(token: string): void {
  if (token.length > MAX_TOKEN_LENGTH) throw malformed();
}

/**
 * Steps 2 and 3 of `TokenService`'s checks (same numbers), on a token whose length
 * {@link checkTokenLength} accepted, without network I/O and without reading any claim:
 *
 * 2. three segments, non-empty header and payload, each segment canonical base64url; the header
 *    a strict UTF-8 JSON object with a string `alg` and a `kid` of 1–256 printable ASCII
 *    characters → else `token/malformed`
 * 3. `alg` exactly `RS256` → else `token/invalid_algorithm`; then no `crit` (no extension is
 *    supported) and no `cty` (no nested tokens) → else `token/malformed`
 * @throws RakomiError `token/malformed` or `token/invalid_algorithm`
 */
export function parseCompactJws(token: string): ParsedCompactJws {
  // 2. Shape, before any decoding.
  const firstDot = token.indexOf('.');
  const secondDot = firstDot < 0 ? -1 : token.indexOf('.', firstDot + 1);
  if (firstDot <= 0 || secondDot <= firstDot + 1 || token.indexOf('.', secondDot + 1) !== -1) {
    throw malformed();
  }
  const headerSegment = token.slice(0, firstDot);
  const payloadSegment = token.slice(firstDot + 1, secondDot);
  const signatureSegment = token.slice(secondDot + 1);
  if (!isCanonicalBase64url(headerSegment) || !isCanonicalBase64url(payloadSegment) || !isCanonicalBase64url(signatureSegment)) {
    throw malformed();
  }

  // 2. Header: a JSON object with a string alg and a well-shaped kid.
  const header = decodeJsonObjectSegment(headerSegment);
  const alg = header.alg;
  if (typeof alg !== 'string' || alg === '') throw malformed();
  const kid = header.kid;
  if (typeof kid !== 'string' || !KID_PATTERN.test(kid)) throw malformed();

  // 3. Algorithm allow-list: exactly one, compared exactly; then the unsupported header features.
  if (alg !== ACCEPTED_ALGORITHM) throw new RakomiError('token/invalid_algorithm');

  if (Object.hasOwn(header, 'crit')) throw malformed();
  if (Object.hasOwn(header, 'cty')) throw malformed();

  return {
    header,
    kid,
    signingInput: token.slice(0, secondDot),
    payloadSegment,
    signature: Buffer.from(signatureSegment, 'base64url'),
  };
}
