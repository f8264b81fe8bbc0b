import type { RakomiError } from '../../errors/rakomi.error.js';

/**
 * The WebSocket close code for a refused connection: 4401 / 4403 / 4400 (graphql-ws's
 * `Unauthorized` / `Forbidden` / `BadRequest`), 1013 "Try Again Later" for a 503 (JWKS unreachable),
 * 1011 for anything else. The close reason is the catalog code (always within the 123-byte limit).
 */
export function closeCode(error: RakomiError): number {
  if (error.status === 401) return 4401;
  if (error.status === 403) return 4403;
  if (error.status === 400) return 4400;
  if (error.status === 503) return 1013;
  return 1011;
}
