import type { RakomiClient } from '../client/rakomi.client.js';
import type { RakomiErrorCode } from '../errors/error-catalog.js';
import { isRakomiError } from '../errors/rakomi.error.js';
import { checkTokenLength, decodeJsonObjectSegment, parseCompactJws } from '../token/compact-jws.js';
import { describeTime, errorOf, stepsUpTo, type ExplainReport } from './explain-report.js';

/** The checks of `TokenService`, in its order (see its documentation). */
export const TOKEN_STEPS = [
  'bearer credential present',
  'compact JWS with a JSON header and a string kid',
  'alg is RS256, no crit or cty',
  'signing key for the kid in the JWKS',
  'signature',
  'required claims present and well typed',
  'issuer and audience',
  'time: exp, nbf, iat',
] as const;

const STEP_OF: Partial<Record<RakomiErrorCode, number>> = {
  'token/missing': 0,
  'token/invalid_algorithm': 2,
  'jwks/fetch_failed': 3,
  'jwks/invalid_response': 3,
  'jwks/no_matching_key': 3,
  'token/invalid_signature': 4,
  'token/missing_claims': 5,
  'token/invalid_issuer': 6,
  'token/invalid_audience': 6,
  'token/expired': 7,
  'token/not_yet_valid': 7,
};

/** The step a code comes from; `token/malformed` is the structure before the signature, the claim types after it. */
function failedStep(code: RakomiErrorCode, token: string): number {
  if (code === 'token/malformed') {
    try {
      checkTokenLength(token);
      parseCompactJws(token);
      return 5;
    } catch {
      // Step 3 refuses `crit`/`cty` in an otherwise well-formed RS256 header; the rest is step 2.
      const header = decoded(token.split('.')[0]);
      return header?.alg === 'RS256' && (Object.hasOwn(header, 'crit') || Object.hasOwn(header, 'cty')) ? 2 : 1;
    }
  }
  return STEP_OF[code] ?? TOKEN_STEPS.length - 1;
}

function decoded(segment: string | undefined): Record<string, unknown> | undefined {
  if (segment === undefined) return undefined;
  try {
    return decodeJsonObjectSegment(segment);
  } catch {
    return undefined;
  }
}

/**
 * Verifies `input` (a token, or `Bearer <token>`) with the client's real `TokenService` and
 * explains the outcome step by step. The header and claims are decoded for display only (marked
 * unverified unless the verification passed); the signature segment is never part of the report.
 */
export async function explainToken(client: RakomiClient, input: string, nowMs: number): Promise<ExplainReport> {
  const bearer = /^bearer\s/i.test(input);
  const token = bearer ? input.replace(/^bearer\s+/i, '') : input;
  let failure: unknown;
  try {
    await (bearer ? client.tokens.verifyAuthorizationHeader(input) : client.verifyToken(token));
  } catch (error) {
    if (!isRakomiError(error)) throw error;
    failure = error;
  }
  const [headerSegment, payloadSegment] = token.split('.');
  const header = decoded(headerSegment);
  const claims = decoded(payloadSegment);
  const failed = isRakomiError(failure) ? failedStep(failure.code, token) : undefined;
  const kid = typeof header?.kid === 'string' ? header.kid : undefined;
  const keyChecked = failed === undefined || failed > 3 || (failure as { code?: string } | undefined)?.code === 'jwks/no_matching_key';
  const times = Object.fromEntries(
    ['exp', 'iat', 'nbf'].flatMap((name) => {
      const time = describeTime(claims?.[name], nowMs);
      return time === undefined ? [] : [[name, time]];
    }),
  );
  return {
    ok: failure === undefined,
    steps: stepsUpTo(TOKEN_STEPS, failed),
    ...(header === undefined ? {} : { header }),
    ...(claims === undefined ? {} : { claims, times }),
    ...(kid === undefined ? {} : { key: { kid, present: keyChecked ? failed === undefined || failed > 3 : null } }),
    ...(failure === undefined ? {} : { error: errorOf(failure) }),
  };
}
