import { incomingMessage, requestHeaders } from '../utils/http-request.util.js';
import type { TenantBinding, TenantSource } from './access-requirements.interface.js';

/** An own member of the adapter's parsed `params` / `query` object (never one inherited from a prototype). */
function ownMember(container: unknown, name: string): unknown {
  if (typeof container !== 'object' || container === null) return undefined;
  return Object.hasOwn(container, name) ? (container as Record<string, unknown>)[name] : undefined;
}

/**
 * The one value of a header (names lower-cased), or `undefined` when it is absent or repeated:
 * duplicated headers never match, whatever their values ("first wins" and Node's `a, b` joining are both avoided).
 */
function singleHeader(request: unknown, name: string): string | undefined {
  const message = incomingMessage(request);
  if (message === undefined) {
    const value = requestHeaders(request)[name];
    return typeof value === 'string' ? value : undefined;
  }
  let found: string | undefined;
  let count = 0;
  const raw = message.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (raw[i]!.length === name.length && raw[i]!.toLowerCase() === name) {
      found = raw[i + 1];
      count++;
    }
  }
  return count === 1 ? found : undefined;
}

/**
 * The tenant source of an Express or Fastify request: route params and query parameters as the
 * adapter decoded them for the handler (so the check compares exactly what `@Param()` / `@Query()`
 * will see; repeated query parameters arrive as arrays and never match), and headers as received.
 */
export function httpTenantSource(request: unknown): TenantSource {
  return (binding: TenantBinding): unknown => {
    const http = request as { params?: unknown; query?: unknown };
    if (binding.param !== undefined) return ownMember(http.params, binding.param);
    if (binding.query !== undefined) return ownMember(http.query, binding.query);
    return singleHeader(request, binding.header);
  };
}

/** Whether the matched route of an HTTP request has this route param (its pattern declares it). */
export function routeHasParam(request: unknown, name: string): boolean {
  const params = (request as { params?: unknown } | null)?.params;
  return typeof params === 'object' && params !== null && Object.hasOwn(params, name);
}
