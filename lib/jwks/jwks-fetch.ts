import { Buffer, isUtf8 } from 'node:buffer';
import { RakomiError } from '../errors/rakomi.error.js';

/** Sent with every JWKS request. */
export const JWKS_USER_AGENT = '@rakomi/nestjs (+https://rakomi.com/docs)';
/** Longest `Retry-After` honoured, in seconds. */
export const MAX_RETRY_AFTER_SECONDS = 300;

/** How one JWKS request is made. */
export interface JwksFetchOptions {
  /** Deadline for the whole exchange, body included, ms. */
  readonly timeoutMs: number;
  /** Cap on the (decompressed) body, bytes. */
  readonly maxBytes: number;
  /** Aborts the request early (the key store's `close()`). */
  readonly signal?: AbortSignal;
}

/** Names of the errors `fetch` and its body stream raise for network trouble (any realm). */
const NETWORK_ERROR_NAMES = new Set(['TypeError', 'AbortError', 'TimeoutError', 'DOMException']);

function errorName(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const name = (error as { name?: unknown }).name;
  return typeof name === 'string' ? name : undefined;
}

/** True for what `fetch` throws when the network fails: connection, DNS, TLS, abort, timeout. */
function isNetworkError(error: unknown): boolean {
  const name = errorName(error);
  if (name !== undefined && NETWORK_ERROR_NAMES.has(name)) return true;
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && /^(E[A-Z]+|UND_ERR_[A-Z_]+)$/.test(code);
}

/**
 * `Retry-After` as seconds from now (delta-seconds or an HTTP date), capped at
 * {@link MAX_RETRY_AFTER_SECONDS}; `undefined` when absent or unparsable.
 */
export function parseRetryAfter(value: string | null, nowMs: number = Date.now()): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  let seconds: number;
  if (/^\d{1,10}$/.test(trimmed)) {
    seconds = Number(trimmed);
  } else {
    const date = Date.parse(trimmed);
    if (Number.isNaN(date)) return undefined;
    seconds = Math.ceil((date - nowMs) / 1000);
  }
  return Math.min(Math.max(seconds, 0), MAX_RETRY_AFTER_SECONDS);
}

/** `jwks/fetch_failed`, its `fix_command` naming the URL that failed. */
function fetchFailed(url: string, cause: unknown, retryAfter?: number): RakomiError {
  return new RakomiError('jwks/fetch_failed', {
    cause,
    fixCommand: `curl ${url}`,
    ...(retryAfter === undefined ? {} : { retryAfter }),
  });
}

function invalidResponse(reason: string): RakomiError {
  // The cause names the reason only: never the body (it may hold a private key or a canary).
  return new RakomiError('jwks/invalid_response', { cause: new Error(reason) });
}

/** Reads at most `maxBytes` of the body; more → `jwks/invalid_response`, without buffering it. */
async function readCapped(response: Response, maxBytes: number): Promise<Buffer> {
  if (response.body === null) return Buffer.alloc(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      reader.cancel().catch(() => undefined);
      throw invalidResponse(`JWKS body exceeds ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total);
}

/**
 * One GET of the JWKS document: exactly `url`, no credentials, no redirects, a deadline that
 * covers the body, a byte cap measured after decompression.
 *
 * @returns the parsed JSON (not yet validated as a key set)
 * @throws RakomiError `jwks/fetch_failed` (network error, timeout, any non-2xx including 3xx and
 *   304, with `retryAfter` from the response when present) or `jwks/invalid_response` (over the
 *   cap, not UTF-8 JSON); any other thrown value is rethrown unchanged (an internal error)
 */
export async function fetchJwksDocument(url: string, options: JwksFetchOptions): Promise<unknown> {
  const controller = new AbortController();
  const abort = (): void => controller.abort();
  const timer = setTimeout(abort, options.timeoutMs);
  timer.unref();
  options.signal?.addEventListener('abort', abort, { once: true });
  try {
    let body: Buffer;
    try {
      const response = await globalThis.fetch(url, {
        method: 'GET',
        redirect: 'manual',
        signal: controller.signal,
        headers: {
          Accept: 'application/json, application/jwk-set+json',
          'Accept-Encoding': 'identity',
          'User-Agent': JWKS_USER_AGENT,
        },
      });
      if (response.status < 200 || response.status > 299) {
        response.body?.cancel().catch(() => undefined);
        const retryAfter = parseRetryAfter(response.headers.get('retry-after'));
        throw fetchFailed(url, new Error(`JWKS endpoint answered HTTP ${response.status}`), retryAfter);
      }
      body = await readCapped(response, options.maxBytes);
    } catch (error) {
      if (error instanceof RakomiError) throw error;
      if (isNetworkError(error)) throw fetchFailed(url, error);
      throw error;
    }
    if (!isUtf8(body)) throw invalidResponse('JWKS body is not UTF-8');
    try {
      return JSON.parse(body.toString('utf8')) as unknown;
    } catch {
      throw invalidResponse('JWKS body is not JSON');
    }
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', abort);
  }
}
