export type {
  AccessRefusal,
  AccessRequirements,
  ClaimExpectation,
  ClaimMatch,
  ClaimPredicate,
  ClaimRequirement,
  ClaimValue,
  TenantBinding,
  TenantSource,
} from './access-requirements.interface.js';
export { RAKOMI_CLAIMS_METADATA, RAKOMI_TENANT_METADATA } from './access.constants.js';
export { checkAccess } from './check-access.js';
export { CurrentTenant } from './current-tenant.decorator.js';
export { httpTenantSource } from './http-tenant-source.js';
export { RakomiAccessPolicy, type RakomiAccessOptions } from './rakomi-access.policy.js';
export { RequireClaims } from './require-claims.decorator.js';
export { TenantScoped } from './tenant-scoped.decorator.js';
