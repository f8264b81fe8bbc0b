import type { IncomingMessage } from 'node:http';

/** Longest route text put in a log line. */
const MAX_ROUTE_LENGTH = 200;

/** An Express request, a Fastify request (`.raw`), or a bare `IncomingMessage`: whatever Nest hands us. */
type AnyRequest = Record<PropertyKey, unknown> & { raw?: unknown };

/** The Node `IncomingMessage` behind an Express or Fastify request. */
export function incomingMessage(request: unknown): IncomingMessage | undefined {
  if (typeof request !== 'object' || request === null) return undefined;
  const raw = (request as AnyRequest).raw;
  if (typeof raw === 'object' && raw !== null && Array.isArray((raw as IncomingMessage).rawHeaders)) {
    return raw as IncomingMessage; // Fastify
  }
  if (Array.isArray((request as unknown as IncomingMessage).rawHeaders)) {
    return request as unknown as IncomingMessage; // Express, or a bare IncomingMessage
  }
  return undefined;
}

/**
 * Every `Authorization` header of the request, as received: `undefined` when there is none,
 * else one entry per header line. Never "first wins": `req.headers.authorization` keeps only the
 * first of duplicated headers, so the raw header pairs are read instead (cheaper than Node's
 * `headersDistinct`, which builds a whole dictionary), and the token service rejects more than one entry.
 */
export function authorizationHeaders(request: unknown): string[] | undefined {
  const message = incomingMessage(request);
  if (message !== undefined) {
    let values: string[] | undefined;
    const raw = message.rawHeaders;
    for (let i = 0; i + 1 < raw.length; i += 2) {
      if (raw[i]!.toLowerCase() === 'authorization') (values ??= []).push(raw[i + 1]!);
    }
    return values;
  }
  const headers = (request as { headers?: Record<string, unknown> } | null)?.headers;
  const value = headers?.authorization;
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((entry): entry is string => typeof entry === 'string');
  return undefined;
}

/** Lower-cased request headers as Node parsed them. */
export function requestHeaders(request: unknown): Record<string, string | string[] | undefined> {
  const message = incomingMessage(request);
  if (message !== undefined) return message.headers;
  const headers = (request as { headers?: unknown } | null)?.headers;
  return typeof headers === 'object' && headers !== null ? (headers as Record<string, string | string[] | undefined>) : {};
}

/** The headers of a webhook request, as `RakomiWebhookInterceptor` needs them. */
export interface WebhookRequestHeaders {
  /** Every header, duplicates kept apart (Node's `headersDistinct`), for `WebhookService.verify`. */
  readonly all: Record<string, string | string[] | undefined>;
  readonly contentType: string | string[] | undefined;
  /** The `Content-Encoding` codings other than `identity`, lower-cased. */
  readonly encodings: string[];
  /** True when the request announces a body (`Transfer-Encoding`, or a `Content-Length` other than 0). */
  readonly announcesBody: boolean;
}

/** Reads a webhook request's headers once, for the interceptor's media-type, encoding and signature checks. */
export function webhookRequestHeaders(request: unknown): WebhookRequestHeaders {
  const headers = requestHeaders(request);
  const encoding = headers['content-encoding'];
  const length = headers['content-length'];
  return {
    all: incomingMessage(request)?.headersDistinct ?? headers,
    contentType: headers['content-type'],
    encodings: (Array.isArray(encoding) ? encoding.join(',') : (encoding ?? ''))
      .split(',')
      .map((entry) => entry.trim().toLowerCase())
      .filter((entry) => entry !== '' && entry !== 'identity'),
    announcesBody: headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0'),
  };
}

/**
 * `METHOD /route` for log lines: the route pattern when the adapter knows it (`/users/:id`, so no
 * ids or tokens from the path), else the path; never the query string (tokens must not be logged).
 */
export function describeRoute(request: unknown): string {
  if (typeof request !== 'object' || request === null) return 'unknown route';
  const req = request as AnyRequest & {
    method?: unknown;
    route?: { path?: unknown };
    routeOptions?: { url?: unknown };
    originalUrl?: unknown;
    url?: unknown;
  };
  const method = typeof req.method === 'string' ? req.method : 'HTTP';
  const pattern = req.routeOptions?.url ?? req.route?.path;
  const url = typeof pattern === 'string' ? pattern : typeof req.originalUrl === 'string' ? req.originalUrl : req.url;
  const path = typeof url === 'string' ? url.split('?')[0]! : '/';
  return `${method} ${path.length > MAX_ROUTE_LENGTH ? `${path.slice(0, MAX_ROUTE_LENGTH)}…` : path}`;
}
