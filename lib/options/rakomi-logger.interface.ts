/**
 * Where the SDK reports operational events (stale JWKS, refetch budget exhausted, server errors).
 * Nest's `Logger` satisfies it; messages never contain tokens, secrets or claim values.
 */
export interface RakomiLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string, stack?: string): void;
}
