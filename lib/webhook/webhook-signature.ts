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
const V1_ENTRY = /v1,[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=/y;
const V1_ENTRY_LENGTH = VERSION_PREFIX.length + 44;

/** True when `header[start, end)` is exactly one well-formed `v1` entry. */
function isV1Entry(header: string, start: number, end: number): boolean {
  if (end - start !== V1_ENTRY_LENGTH) return false;
  // Sticky match in place (no substring): the length check above makes it anchored at both ends.
  V1_ENTRY.lastIndex = start;
  return V1_ENTRY.test(header);
}

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
      if (isV1Entry(header, start, end)) {
        found.push(header.slice(start + VERSION_PREFIX.length, end));
      }
    }
    start = end + 1;
  }
  return found;
}

/**
 * Receives one decoded candidate at a time. Reused: `signatureMatches` is synchronous, and the
 * buffer only ever holds a value from the request (never the expected MAC).
 */
const candidateBytes = Buffer.alloc(32);

/**
 * Step 5 (comparison): `crypto.timingSafeEqual` of each candidate, decoded, against the expected
 * MAC; lengths are equal by construction (canonical 44-character values decode to 32 bytes).
 */
export function signatureMatches(candidates: readonly string[], expected: Buffer): boolean {
  if (expected.length !== candidateBytes.length) return false;
  let matched = false;
  for (const candidate of candidates) {
    const written = candidateBytes.write(candidate, 0, candidateBytes.length, 'base64');
    if (written === candidateBytes.length && timingSafeEqual(candidateBytes, expected)) matched = true;
  }
  return matched;
}
