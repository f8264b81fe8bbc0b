import type { RakomiClaims } from '../../token/rakomi-claims.interface.js';

/**
 * Where a route names its tenant: a route param, a request header or a query parameter.
 * Exactly one member per binding.
 */
export type TenantBinding =
  | { readonly param: string; readonly header?: never; readonly query?: never }
  | { readonly header: string; readonly param?: never; readonly query?: never }
  | { readonly query: string; readonly param?: never; readonly header?: never };

/** A primitive claim value a requirement can name. */
export type ClaimValue = string | number | boolean;

/**
 * What a requirement may expect of a claim of type `V`: an array claim (`roles: string[]`) takes one
 * element or a list of elements it must all include; a scalar claim takes its exact value.
 */
export type ClaimExpectation<V> = [V] extends [readonly (infer E)[]]
  ? E | readonly E[]
  : [V] extends [ClaimValue]
    ? V
    : ClaimValue | readonly ClaimValue[];

/**
 * Claim equality / inclusion, typed against `RakomiClaims` (extend it by declaration merging):
 * `{ email_verified: true }`, `{ roles: 'admin' }`, `{ permissions: ['invoices:read', 'invoices:write'] }`.
 * Every named claim must match.
 */
export type ClaimMatch<C = RakomiClaims> = {
  readonly [K in keyof C]?: ClaimExpectation<Exclude<C[K], undefined>>;
};

/** A check over the verified claims; the requirement holds only when it returns exactly `true`. */
export type ClaimPredicate<C = RakomiClaims> = (claims: C) => boolean;

/** One argument of `@RequireClaims()`. */
export type ClaimRequirement<C = RakomiClaims> = ClaimMatch<C> | ClaimPredicate<C>;

/** Everything a route demands of a verified token beyond authentication. */
export interface AccessRequirements {
  /** Every binding must name exactly the token's `tenant_id`. */
  readonly tenant: readonly TenantBinding[];
  /** Every requirement must hold (AND). */
  readonly claims: readonly ClaimRequirement[];
}

/** The catalog code of a refusal. */
export type AccessRefusal = 'access/tenant_mismatch' | 'access/insufficient_claims';

/**
 * Reads the tenant a request names under a binding, as the handler will see it: a string, or
 * anything else (`undefined`, an array of duplicates, an object) that never matches.
 */
export type TenantSource = (binding: TenantBinding) => unknown;
