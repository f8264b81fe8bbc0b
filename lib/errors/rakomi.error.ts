import { ERROR_CATALOG, ERROR_DOCS_BASE_URL, type RakomiErrorCode } from './error-catalog.js';
import { errorHeaders } from './error-headers.js';

/** What a raising site may add to a catalog error. */
export interface RakomiErrorOptions {
  /** The underlying error; kept for logs, never serialised. */
  cause?: unknown;
  /** HTTP status when the situation differs from the catalog default (413 for an oversized body). */
  status?: number;
  /** A fix command built from the actual configuration (the configured JWKS URL). */
  fixCommand?: string;
  /** Seconds a client should wait before retrying (sent as `Retry-After` on 503). */
  retryAfter?: number;
  /** Which option was wrong, for `config/invalid_option`; never a value. */
  detail?: string;
}

/** The JSON body of an error, in the catalog's documented snake_case. */
export interface RakomiErrorJson {
  code: RakomiErrorCode;
  message: string;
  suggestion: string;
  docs_url: string;
  fix_command?: string;
}

/**
 * The one error type of the SDK: a catalog code with its exact texts.
 *
 * @example
 * try { await tokens.verify(token) } catch (e) { if (isRakomiError(e)) log(e.code) }
 */
export class RakomiError extends Error {
  override readonly name = 'RakomiError';
  readonly code: RakomiErrorCode;
  readonly suggestion: string;
  readonly docsUrl: string;
  declare readonly fixCommand?: string;
  readonly status: number;
  declare readonly retryAfter?: number;

  constructor(code: RakomiErrorCode, options: RakomiErrorOptions = {}) {
    const entry: { message: string; fixCommand?: string } = ERROR_CATALOG[code];
    super(
      options.detail ? `${entry.message}: ${options.detail}` : entry.message,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.code = code;
    this.suggestion = ERROR_CATALOG[code].suggestion;
    this.docsUrl = ERROR_DOCS_BASE_URL + code;
    this.status = options.status ?? ERROR_CATALOG[code].status;
    const fixCommand = options.fixCommand ?? entry.fixCommand;
    if (fixCommand !== undefined) this.fixCommand = fixCommand;
    if (options.retryAfter !== undefined) this.retryAfter = options.retryAfter;
  }

  /**
   * The HTTP headers a response carrying this error must have: `Cache-Control: no-store`; the
   * RFC 6750 `WWW-Authenticate` challenge (`Bearer realm="…"`, with `error="invalid_token"`,
   * `"invalid_request"` or `"insufficient_scope"` as the code says); `Retry-After` on 503;
   * `Accept-Encoding: identity` on 415. Values are fixed catalog texts, never request data.
   * @param realm the `realm` option (`RakomiClient.options.realm`)
   * @example
   * catch (e) { if (isRakomiError(e)) res.status(e.status).set(e.headers(rakomi.options.realm)).json(e) }
   */
  headers(realm: string): Record<string, string> {
    return errorHeaders(this, realm);
  }

  /** The documented wire shape; never includes the cause, stack or any request data. */
  toJSON(): RakomiErrorJson {
    const json: RakomiErrorJson = {
      code: this.code,
      message: this.message,
      suggestion: this.suggestion,
      docs_url: this.docsUrl,
    };
    if (this.fixCommand !== undefined) json.fix_command = this.fixCommand;
    return json;
  }
}

/** True for any `RakomiError`, also across module copies (checks the shape, not only the prototype). */
export function isRakomiError(value: unknown): value is RakomiError {
  if (value instanceof RakomiError) return true;
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as { name?: unknown; code?: unknown };
  return candidate.name === 'RakomiError' && typeof candidate.code === 'string' && Object.hasOwn(ERROR_CATALOG, candidate.code);
}
