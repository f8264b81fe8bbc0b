import { ERROR_CATALOG } from './error-catalog.js';
import type { RakomiError } from './rakomi.error.js';

/** `Retry-After` (seconds) of a 503 whose error names no `retryAfter`. */
export const DEFAULT_RETRY_AFTER_SECONDS = 5;

/** `quoted-string` of RFC 9110 §5.6.4, from a fixed catalog text: no control characters, `"` and `\` escaped. */
function quoted(text: string): string {
  // eslint-disable-next-line no-control-regex
  return `"${text.replace(/[\u0000-\u001f\u007f]/g, ' ').replace(/["\\]/g, '\\$&')}"`;
}

/** Codes that describe the access token itself; a 401 with one of them answers `error="invalid_token"`. */
function describesToken(code: string): boolean {
  return code.startsWith('token/') || code.startsWith('jwks/') || code === 'auth/token_expired';
}

/**
 * The RFC 6750 §3 challenge of an error, or `undefined` when none is owed.
 * - 401 `token/missing` (and any other 401 without token information): `Bearer realm="…"` only.
 * - 401 for a bad token: `error="invalid_token"` and the catalog message as `error_description`.
 * - 400 `token/*` (duplicate `Authorization` headers): `error="invalid_request"`.
 * - 403 `access/*` (tenant or claims refused): `error="insufficient_scope"` (§3.1).
 * The description is always the fixed catalog text, never request data or a `detail`.
 */
export function bearerChallenge(error: RakomiError, realm: string): string | undefined {
  const base = `Bearer realm=${quoted(realm)}`;
  const description = ERROR_CATALOG[error.code].message;
  if (error.status === 401) {
    if (error.code === 'token/missing' || !describesToken(error.code)) return base;
    return `${base}, error="invalid_token", error_description=${quoted(description)}`;
  }
  if (error.status === 400 && error.code.startsWith('token/')) {
    return `${base}, error="invalid_request", error_description=${quoted(description)}`;
  }
  if (error.status === 403 && error.code.startsWith('access/')) {
    return `${base}, error="insufficient_scope", error_description=${quoted(description)}`;
  }
  return undefined;
}

/** Whole seconds of `retryAfter`, or the default when it is missing or not a usable number. */
function retryAfterSeconds(error: RakomiError): number {
  const value = error.retryAfter;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return DEFAULT_RETRY_AFTER_SECONDS;
  return Math.ceil(value);
}

/**
 * The HTTP response headers an error owes (see {@link RakomiError.headers}): `Cache-Control:
 * no-store` always; the `WWW-Authenticate` challenge on 401, on the 400 for several
 * `Authorization` headers and on 403 `access/*`; `Retry-After` on 503; `Accept-Encoding:
 * identity` on 415.
 */
export function errorHeaders(error: RakomiError, realm: string): Record<string, string> {
  const headers: Record<string, string> = { 'Cache-Control': 'no-store' };
  const challenge = bearerChallenge(error, realm);
  if (challenge !== undefined) headers['WWW-Authenticate'] = challenge;
  if (error.status === 503) headers['Retry-After'] = String(retryAfterSeconds(error));
  if (error.status === 415) headers['Accept-Encoding'] = 'identity';
  return headers;
}
