import type { RakomiClaims } from '../token/rakomi-claims.interface.js';

/**
 * The claims `RakomiAuthGuard` verified, by request object. `@CurrentUser()` reads only this, so
 * a `request.user` set by anything else is never mistaken for verified Rakomi claims. A WeakMap
 * leaves the request object's shape alone (adding properties to Node requests costs on every
 * request) and forgets the entry with the request.
 */
export const verifiedClaims = new WeakMap<object, RakomiClaims>();
