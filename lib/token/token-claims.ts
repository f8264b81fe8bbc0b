import { RakomiError } from '../errors/rakomi.error.js';
import type { ResolvedRakomiOptions } from '../options/resolved-options.interface.js';
import type { RakomiClaims } from './rakomi-claims.interface.js';

/** Claims every Rakomi access token carries (the catalog message lists the same names). */
export const REQUIRED_CLAIMS = ['sub', 'tenant_id', 'email', 'sid', 'iss', 'aud', 'exp', 'iat', 'jti'] as const;
const STRING_CLAIMS = ['sub', 'tenant_id', 'email', 'sid', 'iss', 'jti'] as const;
/** 9999-12-31T23:59:59Z: a larger timestamp is in milliseconds or absurd. */
const MAX_TIMESTAMP = 253_402_300_799;

/** What the claim checks need from the options. */
export type ClaimOptions = Pick<ResolvedRakomiOptions, 'issuer' | 'audience' | 'clockTolerance' | 'maxTokenLifetime'>;

function isAbsent(value: unknown): boolean {
  return value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0);
}

function isTimestamp(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value <= MAX_TIMESTAMP;
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

/**
 * Steps 6 and 7 of the verification: presence, types and plausibility, then issuer and
 * audience. Runs only on a payload whose signature has been verified.
 *
 * - any required claim absent, `null` or empty (`""`, `[]`) → `token/missing_claims`
 * - a wrongly typed claim (string claims, `aud` as string or array of strings, `exp`/`iat`/`nbf`
 *   as whole non-negative Unix seconds), `exp < iat` or `exp - iat > maxTokenLifetime`
 *   → `token/malformed`
 * - `iss` ≠ issuer → `token/invalid_issuer`; no `aud` entry among the configured audiences
 *   → `token/invalid_audience`
 *
 * @throws RakomiError
 */
export function checkClaimsShape(payload: Record<string, unknown>, options: ClaimOptions): RakomiClaims {
  // 6a. Presence.
  for (const name of REQUIRED_CLAIMS) {
    if (!Object.hasOwn(payload, name) || isAbsent(payload[name])) throw new RakomiError('token/missing_claims');
  }
  // 6b. Types and plausibility.
  for (const name of STRING_CLAIMS) {
    if (typeof payload[name] !== 'string') throw new RakomiError('token/malformed');
  }
  const aud = payload.aud;
  if (typeof aud !== 'string' && !(Array.isArray(aud) && aud.every(isNonEmptyString))) {
    throw new RakomiError('token/malformed');
  }
  const { exp, iat } = payload;
  if (!isTimestamp(exp) || !isTimestamp(iat)) throw new RakomiError('token/malformed');
  if (Object.hasOwn(payload, 'nbf') && !isTimestamp(payload.nbf)) throw new RakomiError('token/malformed');
  if (exp < iat || exp - iat > options.maxTokenLifetime) throw new RakomiError('token/malformed');

  // 7. Issuer (exact string comparison), then audience (one match suffices).
  if (payload.iss !== options.issuer) throw new RakomiError('token/invalid_issuer');
  if (options.audience !== null) {
    const expected = options.audience;
    const matches = typeof aud === 'string' ? expected.includes(aud) : aud.some((entry) => expected.includes(entry));
    if (!matches) throw new RakomiError('token/invalid_audience');
  }
  return payload as RakomiClaims;
}

/**
 * Step 8: the time checks against `now` (ms since the epoch), with `clockTolerance` seconds of
 * leeway. Also re-run on every verified-token cache hit.
 *
 * - `exp ≤ now − tolerance` → `token/expired` (a token is not accepted on its expiry instant)
 * - `nbf > now + tolerance` or `iat > now + tolerance` → `token/not_yet_valid`
 *
 * @throws RakomiError
 */
export function checkClaimsTime(claims: RakomiClaims, nowMs: number, clockTolerance: number): void {
  const now = nowMs / 1000;
  if (claims.exp <= now - clockTolerance) throw new RakomiError('token/expired');
  if (claims.nbf !== undefined && claims.nbf > now + clockTolerance) throw new RakomiError('token/not_yet_valid');
  if (claims.iat > now + clockTolerance) throw new RakomiError('token/not_yet_valid');
}

/** Freezes a parsed JSON value and everything inside it (iteratively: no deep recursion). */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  Object.freeze(value);
  let pending: object[] | undefined;
  let current: object | undefined = value;
  while (current !== undefined) {
    for (const key in current) {
      const member = (current as Record<string, unknown>)[key];
      if (typeof member === 'object' && member !== null && !Object.isFrozen(member)) {
        Object.freeze(member);
        (pending ??= []).push(member);
      }
    }
    current = pending?.pop();
  }
  return value;
}
