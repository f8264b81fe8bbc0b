import type { RakomiErrorCode } from '../../lib/errors/index.js';
import type { BadTokenKind } from '../../lib/testing/index.js';

/** Each `issuer.badToken(kind)` and the catalog code it must be rejected with. */
export const BAD_TOKEN_CODES: readonly (readonly [BadTokenKind, RakomiErrorCode])[] = [
  ['expired', 'token/expired'],
  ['bad_signature', 'token/invalid_signature'],
  ['wrong_issuer', 'token/invalid_issuer'],
  ['wrong_audience', 'token/invalid_audience'],
  ['missing_claims', 'token/missing_claims'],
  ['not_yet_valid', 'token/not_yet_valid'],
  ['hs256', 'token/invalid_algorithm'],
  ['none', 'token/invalid_algorithm'],
  ['unknown_kid', 'jwks/no_matching_key'],
];
