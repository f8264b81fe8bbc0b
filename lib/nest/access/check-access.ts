import type { RakomiClaims } from '../../token/rakomi-claims.interface.js';
import type { AccessRefusal, AccessRequirements, ClaimRequirement, ClaimValue, TenantSource } from './access-requirements.interface.js';

/**
 * Decides whether verified claims meet a route's requirements: first every tenant binding (the value
 * the request names must be a string exactly equal to `tenant_id`: no decoding, trimming or case
 * folding here), then every claim requirement. Transport-agnostic: the caller supplies the tenant
 * source (a source that cannot read a binding refuses it).
 *
 * @returns `undefined` when access is granted, else the catalog code of the refusal
 *
 * @example
 * checkAccess(claims, { tenant: [{ param: 'tenantId' }], claims: [{ roles: 'admin' }] }, httpTenantSource(req))
 */
export function checkAccess(claims: RakomiClaims, requirements: AccessRequirements, source: TenantSource): AccessRefusal | undefined {
  for (const binding of requirements.tenant) {
    const named = source(binding);
    if (typeof named !== 'string' || named !== claims.tenant_id) return 'access/tenant_mismatch';
  }
  for (const requirement of requirements.claims) {
    if (!meets(claims, requirement)) return 'access/insufficient_claims';
  }
  return undefined;
}

function meets(claims: RakomiClaims, requirement: ClaimRequirement): boolean {
  if (typeof requirement === 'function') return requirement(claims) === true;
  for (const [name, expected] of Object.entries(requirement)) {
    if (!Object.hasOwn(claims, name)) return false;
    const actual: unknown = claims[name];
    const wanted = (Array.isArray(expected) ? expected : [expected]) as readonly ClaimValue[];
    if (!wanted.every((value) => holds(actual, value))) return false;
  }
  return true;
}

/** The claim is exactly the value, or an array claim that includes it. No type coercion. */
function holds(actual: unknown, value: ClaimValue): boolean {
  return actual === value || (Array.isArray(actual) && actual.includes(value));
}
