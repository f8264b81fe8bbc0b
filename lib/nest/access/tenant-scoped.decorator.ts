import type { TenantBinding } from './access-requirements.interface.js';
import { RAKOMI_TENANT_METADATA } from './access.constants.js';
import { appendMetadata } from './access-metadata.js';

/** A route-param name as Nest's paths write it (`:tenantId`). */
export const ROUTE_PARAM_NAME = /^[A-Za-z_$][\w$]*$/;
/** An HTTP field name (RFC 9110 §5.1 `token`). */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Checks the binding once, when the class is decorated; header names are kept lower-cased. */
function normalise(binding: TenantBinding): TenantBinding {
  const given = typeof binding === 'object' && binding !== null ? Object.entries<unknown>(binding) : [];
  const [entry] = given;
  if (given.length !== 1 || entry === undefined || typeof entry[1] !== 'string') {
    throw new TypeError('@TenantScoped() takes exactly one of { param }, { header } or { query }, naming a string');
  }
  const [kind, name] = entry;
  if (kind === 'param' && ROUTE_PARAM_NAME.test(name)) return { param: name };
  if (kind === 'header' && HEADER_NAME.test(name)) return { header: name.toLowerCase() };
  if (kind === 'query' && name.length > 0 && name.length <= 100) return { query: name };
  throw new TypeError(`@TenantScoped({ ${kind}: ${JSON.stringify(name)} }) does not name a valid ${kind}`);
}

/**
 * Binds a route (or every route of a controller) to the token's tenant: the tenant the request names
 * in the given route param, header or query parameter must be exactly the verified `tenant_id`,
 * else 403 `access/tenant_mismatch` before the handler runs. Several bindings (on the controller and
 * the handler, or stacked) all apply. Enforced by `RakomiAuthGuard`, after authentication. A
 * `param` the route path does not have fails the application start-up.
 *
 * @throws TypeError at class definition for a binding that is not one of `{ param }`, `{ header }`, `{ query }`
 *
 * @example
 * @TenantScoped({ param: 'tenantId' })
 * @Controller('tenants/:tenantId/invoices')
 * export class InvoicesController { ... }
 *
 * @example
 * @TenantScoped({ header: 'x-tenant-id' })
 * @Get('reports')
 * reports(@CurrentTenant() tenantId: string) { ... }
 */
export function TenantScoped(binding: TenantBinding): ClassDecorator & MethodDecorator {
  return appendMetadata(RAKOMI_TENANT_METADATA, [normalise(binding)]);
}
