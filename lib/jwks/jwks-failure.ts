import { RakomiError } from '../errors/rakomi.error.js';

/** A failed fetch as the key store remembers it: its catalog error, never a raw one. */
export function asFetchFailure(error: unknown): RakomiError {
  if (error instanceof RakomiError && (error.code === 'jwks/fetch_failed' || error.code === 'jwks/invalid_response')) {
    return error;
  }
  return new RakomiError('token/internal_error', { cause: error });
}

/**
 * A new error answering a request with the remembered `failure` (its code, cause and
 * `fix_command`), and the seconds until the next fetch may start as `retryAfter`.
 */
export function failureAnswer(failure: RakomiError, waitMs: number): RakomiError {
  if (failure.code === 'token/internal_error') return new RakomiError(failure.code, { cause: failure.cause });
  return new RakomiError(failure.code, {
    cause: failure.cause ?? failure,
    ...(failure.fixCommand === undefined ? {} : { fixCommand: failure.fixCommand }),
    retryAfter: Math.max(1, Math.ceil(Math.round(waitMs) / 1000)),
  });
}
