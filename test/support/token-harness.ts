import { RakomiError } from '../../lib/errors/rakomi.error.js';
import type { RakomiModuleOptions } from '../../lib/options/rakomi-options.interface.js';
import { resolveOptions } from '../../lib/options/resolve-options.js';
import type { RakomiClaims } from '../../lib/token/rakomi-claims.interface.js';
import { TokenService } from '../../lib/token/token.service.js';
import { CapturingLogger } from './capturing-logger.js';

export { CapturingLogger } from './capturing-logger.js';
import { RakomiTestIssuer, type RakomiTestIssuerOptions } from '../../lib/testing/rakomi-test-issuer.js';

/** Frozen "now" of the token suites, Unix seconds (2025-06-15T15:06:40Z). */
export const NOW_S = 1_750_000_000;
export const NOW_MS = NOW_S * 1000;

/** Starts an issuer on the frozen clock unless told otherwise. */
export function startIssuer(options: RakomiTestIssuerOptions = {}): Promise<RakomiTestIssuer> {
  return RakomiTestIssuer.start({ now: () => NOW_MS, ...options });
}

/** A TokenService wired to `issuer` (fast JWKS timeout), with a recording logger. */
export function serviceFor(
  issuer: RakomiTestIssuer,
  overrides: Partial<RakomiModuleOptions> = {},
): { service: TokenService; logger: CapturingLogger } {
  const logger = new CapturingLogger();
  const options = issuer.moduleOptions({ logger, ...overrides, jwks: { timeout: 0.5, ...overrides.jwks } });
  const service = new TokenService(resolveOptions(options));
  return { service, logger };
}

/** Settles a verification: the claims, or the RakomiError it failed with (anything else fails the test). */
export async function outcome(promise: Promise<RakomiClaims>): Promise<RakomiClaims | RakomiError> {
  try {
    return await promise;
  } catch (error) {
    if (!(error instanceof RakomiError)) throw error;
    return error;
  }
}

/** The catalog code a verification failed with, or 'ok'. */
export async function codeOf(promise: Promise<RakomiClaims>): Promise<string> {
  const result = await outcome(promise);
  return result instanceof RakomiError ? result.code : 'ok';
}

/** The RakomiError a verification must fail with. */
export async function failure(promise: Promise<RakomiClaims>): Promise<RakomiError> {
  const result = await outcome(promise);
  if (!(result instanceof RakomiError)) throw new Error('expected the verification to fail');
  return result;
}

/** Text that must never appear in what a client or a log sees. */
export const GENERIC_LEAKS = ['ECONN', 'ENOTFOUND', 'ERR_', 'JWS', 'JOSE', 'claim timestamp check', '    at ', 'hunter2'];

/**
 * The LEAK bundle for one error: neither its message nor its JSON (the `fix_command` of
 * `jwks/fetch_failed` names the configured URL by design and is excluded) contains the token,
 * a segment of it, a canary, an internal error code or a stack frame.
 */
export function expectNoLeak(error: RakomiError, secrets: readonly string[] = []): void {
  const { fix_command: _fix, ...json } = error.toJSON();
  const visible = `${error.message}\n${JSON.stringify(json)}`;
  const forbidden = [...GENERIC_LEAKS];
  for (const secret of secrets) {
    forbidden.push(secret);
    if (secret.split('.').length === 3) forbidden.push(...secret.split('.').filter((segment) => segment.length >= 8));
  }
  for (const text of forbidden) expect(visible).not.toContain(text);
}

/** Claim values of the issuer's default claims (must never be echoed). */
export const CLAIM_CANARIES = ['usr_123', 'ten_456', 'alice@example.com', 'ses_789'];

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
