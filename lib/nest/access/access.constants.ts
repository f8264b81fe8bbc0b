/**
 * Leaf file: metadata keys and the injection token of the authorization layer.
 * It imports nothing, so no ESM import cycle can reach it before it is initialised.
 */

/** Metadata key of `@TenantScoped()`: a list of tenant bindings on a handler or controller. */
export const RAKOMI_TENANT_METADATA = 'rakomi:tenant';

/** Metadata key of `@RequireClaims()`: a list of claim requirements on a handler or controller. */
export const RAKOMI_CLAIMS_METADATA = 'rakomi:claims';

/** Injection token of the module's authorization options (`tenantParam`). */
export const RAKOMI_ACCESS_OPTIONS = 'RAKOMI_ACCESS_OPTIONS';
