import { Buffer } from 'node:buffer';
import { timingSafeEqual } from 'node:crypto';

/** Entries of `X-Rakomi-Signature` looked at; the rest are ignored (bounds the work per request). */
export const MAX_SIGNATURE_ENTRIES = 10;

const VERSION_PREFIX = 'v1,';
/**
 * Standard base64 of 32 bytes, canonical: the 43rd digit carries 4 bits and its 2 spare bits are
 * zero (RFC 4648 §3.5), then one `=`. No URL-safe alphabet, no missing padding, no whitespace.
 * Because the encoding is canonical, comparing decoded bytes equals comparing the texts: no other
 * spelling of the right MAC can match.
 */
const V1_ENTRY = /^v1,[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;

/**
 * Step 5 (parsing): the base64 values of the well-formed `v1` entries among the first
 * {@link MAX_SIGNATURE_ENTRIES} entries of the header. Entries are separated by single spaces;
 * empty tokens are skipped and not counted; other versions (`v1a`, `v2`, `V1`, no prefix) and
 * malformed `v1` values never match.
 */
export function v1Signatures(header: string): string[] {
  const found: string[] = [];
  let entries = 0;
  let start = 0;
  while (start < header.length && entries < MAX_SIGNATURE_ENTRIES) {
    let end = header.indexOf(' ', start);
    if (end === -1) end = header.length;
    if (end > start) {
      entries += 1;
      const entry = header.slice(start, end);
      if (V1_ENTRY.test(entry)) found.push(entry.slice(VERSION_PREFIX.length));
    }
    start = end + 1;
  }
  return found;
}

/**
 * Step 5 (comparison): `crypto.timingSafeEqual` of each candidate, decoded, against the expected
 * MAC; lengths are equal by construction (canonical 44-character values decode to 32 bytes).
 */
export function signatureMatches(candidates: readonly string[], expected: Buffer): boolean {
  let matched = false;
  for (const candidate of candidates) {
    const bytes = Buffer.from(candidate, 'base64');
    if (bytes.length === expected.length && timingSafeEqual(bytes, expected)) matched = true;
  }
  return matched;
}
