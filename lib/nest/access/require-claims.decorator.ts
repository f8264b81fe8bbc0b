import type { RakomiClaims } from '../../token/rakomi-claims.interface.js';
import type { ClaimRequirement } from './access-requirements.interface.js';
import { RAKOMI_CLAIMS_METADATA } from './access.constants.js';
import { appendMetadata } from './access-metadata.js';

function isClaimValue(value: unknown): boolean {
  return typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
}

/** Checks a requirement once, when the class is decorated. */
function validate(requirement: ClaimRequirement): ClaimRequirement {
  if (typeof requirement === 'function') return requirement;
  const entries = typeof requirement === 'object' && requirement !== null ? Object.entries(requirement) : [];
  const valid =
    entries.length > 0 &&
    entries.every(([, value]) => (Array.isArray(value) ? value.length > 0 && value.every(isClaimValue) : isClaimValue(value)));
  if (!valid) {
    throw new TypeError(
      '@RequireClaims() takes predicates or non-empty objects mapping claim names to a string, number, boolean ' +
        'or a non-empty array of them',
    );
  }
  return Object.freeze({ ...requirement });
}

/**
 * Requires claims of the verified token, else 403 `access/insufficient_claims` before the handler
 * runs. An object matches claim values (`{ email_verified: true }`; on an array claim a value must be
 * included, `{ roles: 'admin' }`, and a list must be included entirely, `{ permissions: ['a', 'b'] }`);
 * a function is a predicate that must return exactly `true`. Every requirement applies (AND): several
 * arguments, stacked decorators, controller and handler. Typed against `RakomiClaims`, which your own
 * claims extend by declaration merging. Enforced by `RakomiAuthGuard`, after authentication and
 * tenant binding.
 *
 * @throws TypeError at class definition for an empty object or a value that is not a string, number, boolean or a non-empty array of them
 *
 * @example
 * declare module '@rakomi/nestjs' { interface RakomiClaims { roles?: string[]; email_verified?: boolean } }
 *
 * @RequireClaims({ email_verified: true })
 * @Controller('billing')
 * export class BillingController {
 *   @RequireClaims({ roles: 'admin' }, (claims) => claims.sub !== 'usr_banned')
 *   @Delete(':id') remove() { ... }
 * }
 */
export function RequireClaims<C = RakomiClaims>(
  ...requirements: readonly ClaimRequirement<NoInfer<C>>[]
): ClassDecorator & MethodDecorator {
  if (requirements.length === 0) throw new TypeError('@RequireClaims() needs at least one requirement');
  return appendMetadata(
    RAKOMI_CLAIMS_METADATA,
    requirements.map((r) => validate(r as ClaimRequirement)),
  );
}
