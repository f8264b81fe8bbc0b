import type { RakomiClaims } from '../../token/rakomi-claims.interface.js';

/**
 * A request that `RakomiAuthGuard` let through: the verified claims are on `user`.
 * Pass your adapter's request type to keep its members.
 *
 * @example
 * @Get('me') me(@Req() req: RakomiRequest<Request>) { return req.user.email }
 */
export type RakomiRequest<TRequest extends object = Record<string, unknown>> = TRequest & {
  user: RakomiClaims;
};
