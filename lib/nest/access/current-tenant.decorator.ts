import { CurrentUser } from '../decorators/current-user.decorator.js';

/**
 * Injects the verified `tenant_id` of the token (`@CurrentUser('tenant_id')`, typed as a string).
 * Like `@CurrentUser()`, it throws on a route that `RakomiAuthGuard` did not protect.
 *
 * @example
 * @Get('invoices') list(@CurrentTenant() tenantId: string) { return this.invoices.forTenant(tenantId) }
 */
export function CurrentTenant(): ParameterDecorator {
  return CurrentUser('tenant_id');
}
