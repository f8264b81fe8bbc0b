import { RakomiError } from '../errors/rakomi.error.js';

/** Space or horizontal tab, the blanks RFC 9110 allows around header values. */
function isSpaceOrTab(char: number): boolean {
  return char === 0x20 || char === 0x09;
}

/** Removes spaces and tabs at both ends (linear; no regex backtracking on hostile input). */
function trimBlanks(value: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && isSpaceOrTab(value.charCodeAt(start))) start++;
  while (end > start && isSpaceOrTab(value.charCodeAt(end - 1))) end--;
  return value.slice(start, end);
}

/**
 * Extracts the credential of an `Authorization: Bearer <token>` header value (RFC 6750 §2.1).
 *
 * - The scheme is case-insensitive; spaces and tabs around the value and between the scheme
 *   and the token are ignored, so the outcome does not depend on how an adapter trims headers.
 * - `undefined`, an empty or blank value, another scheme (`Basic`, `Token`, `Bearer:<x>`, a bare
 *   token) or a scheme without a credential → `token/missing`.
 * - Several `Authorization` headers (a `string[]` with more than one entry) → `token/malformed`
 *   with status 400: the request is ambiguous, and silently using the first would hide it.
 *
 * The credential itself is not inspected here.
 * @throws RakomiError `token/missing` or `token/malformed` (400)
 */
export function extractBearerToken(value: string | readonly string[] | undefined): string {
  let header: unknown = value;
  if (Array.isArray(header)) {
    if (header.length > 1) throw new RakomiError('token/malformed', { status: 400 });
    header = header[0];
  }
  if (typeof header !== 'string') throw new RakomiError('token/missing');
  const trimmed = trimBlanks(header);
  let space = 0;
  while (space < trimmed.length && !isSpaceOrTab(trimmed.charCodeAt(space))) space++;
  if (space !== 6 || trimmed.slice(0, space).toLowerCase() !== 'bearer') throw new RakomiError('token/missing');
  const token = trimBlanks(trimmed.slice(space));
  if (token === '') throw new RakomiError('token/missing');
  return token;
}
