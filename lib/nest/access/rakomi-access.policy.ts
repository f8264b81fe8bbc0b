import { Inject, Injectable, Optional, type ExecutionContext } from '@nestjs/common';
import { RakomiError } from '../../errors/rakomi.error.js';
import type { RakomiClaims } from '../../token/rakomi-claims.interface.js';
import type { AccessRequirements, ClaimRequirement, TenantBinding } from './access-requirements.interface.js';
import { RAKOMI_ACCESS_OPTIONS, RAKOMI_CLAIMS_METADATA, RAKOMI_TENANT_METADATA } from './access.constants.js';
import { routeMetadata } from './access-metadata.js';
import { checkAccess } from './check-access.js';
import { httpTenantSource, routeHasParam } from './http-tenant-source.js';
import { ROUTE_PARAM_NAME } from './tenant-scoped.decorator.js';

/** Authorization options of `RakomiModule.forRoot()` / `forRootAsync()`. */
export interface RakomiAccessOptions {
  /**
   * Binds every route protected by `RakomiAuthGuard` whose path has this param (`:tenantId`) to the
   * token's tenant, as if it carried `@TenantScoped({ param })`. A route that deliberately addresses
   * other tenants names its param differently. Start-up fails when no route has it.
   */
  tenantParam?: string;
}

const NO_REQUIREMENTS: AccessRequirements = Object.freeze({ tenant: [], claims: [] });

/**
 * Applies the tenant bindings and claim requirements of a route to verified claims; `RakomiAuthGuard`
 * calls it right after authentication. Route metadata is fixed once the app has started, so each
 * route's declared requirements are read once.
 */
@Injectable()
export class RakomiAccessPolicy {
  /** The module's `tenantParam`, checked at start-up. */
  readonly tenantParam: string | undefined;
  private readonly declared = new WeakMap<Function, WeakMap<Function, AccessRequirements>>();

  /** @throws RakomiError `config/invalid_option` for a `tenantParam` that is not a route-param name */
  constructor(@Optional() @Inject(RAKOMI_ACCESS_OPTIONS) options?: RakomiAccessOptions) {
    const tenantParam = options?.tenantParam;
    if (tenantParam !== undefined && (typeof tenantParam !== 'string' || !ROUTE_PARAM_NAME.test(tenantParam))) {
      throw new RakomiError('config/invalid_option', { detail: 'tenantParam' });
    }
    this.tenantParam = tenantParam;
  }

  /**
   * Refuses the request unless its claims meet the route's requirements: tenant bindings first
   * (read from the request the guard authenticated: route params, query and headers), then claims.
   * @throws RakomiError `access/tenant_mismatch` or `access/insufficient_claims` (403)
   */
  enforce(context: ExecutionContext, request: object, claims: RakomiClaims): void {
    const declared = this.requirementsOf(context.getClass(), context.getHandler());
    const requirements = this.withGlobalBinding(declared, request);
    if (requirements.tenant.length === 0 && requirements.claims.length === 0) return;
    const refusal = checkAccess(claims, requirements, httpTenantSource(request));
    if (refusal !== undefined) throw new RakomiError(refusal);
  }

  /** The requirements `@TenantScoped()` and `@RequireClaims()` declare on a route (controller and handler). */
  requirementsOf(controller: Function, handler: Function): AccessRequirements {
    let byHandler = this.declared.get(controller);
    if (byHandler === undefined) this.declared.set(controller, (byHandler = new WeakMap()));
    let requirements = byHandler.get(handler);
    if (requirements === undefined) {
      const tenant = routeMetadata<TenantBinding>(RAKOMI_TENANT_METADATA, controller, handler);
      const claims = routeMetadata<ClaimRequirement>(RAKOMI_CLAIMS_METADATA, controller, handler);
      requirements = tenant.length === 0 && claims.length === 0 ? NO_REQUIREMENTS : { tenant, claims };
      byHandler.set(handler, requirements);
    }
    return requirements;
  }

  /** Adds the module-wide `tenantParam` binding when the matched route has that param. */
  private withGlobalBinding(declared: AccessRequirements, request: object): AccessRequirements {
    const param = this.tenantParam;
    if (param === undefined || !routeHasParam(request, param)) return declared;
    if (declared.tenant.some((binding) => binding.param === param)) return declared;
    return { tenant: [{ param }, ...declared.tenant], claims: declared.claims };
  }
}
