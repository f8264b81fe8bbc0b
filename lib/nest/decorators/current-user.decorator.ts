import { createParamDecorator, Logger, type ExecutionContext } from '@nestjs/common';
import type { RakomiClaims } from '../../token/rakomi-claims.interface.js';
import { OncePerEpisode } from '../../logging/once-per-episode.js';
import { RAKOMI_LOGGER_CONTEXT } from '../rakomi.constants.js';
import { findAuthTransport } from '../transports/auth-transports.js';
import { verifiedClaims } from '../verified-claims.js';

const logger = new Logger(RAKOMI_LOGGER_CONTEXT);
/** Misused routes already logged: the fix is logged once per route, not per request. */
const loggedRoutes = new OncePerEpisode();

/** Thrown when `@CurrentUser()` is used on a route that `RakomiAuthGuard` did not protect. */
export class RakomiGuardMissingError extends Error {
  override readonly name = 'RakomiGuardMissingError';
}

function readClaims(key: string | undefined, context: ExecutionContext): unknown {
  const holder = findAuthTransport(context.getType())?.claimsHolder(context);
  const claims = holder === undefined ? undefined : verifiedClaims.get(holder);
  if (claims === undefined) {
    const route = `${context.getClass().name}.${context.getHandler().name}`;
    const message =
      `@CurrentUser() on ${route} found no verified Rakomi claims: RakomiAuthGuard did not run for this route. ` +
      'Protect it with @UseGuards(RakomiAuthGuard) or register the guard globally ' +
      '({ provide: APP_GUARD, useClass: RakomiAuthGuard }), and do not mark it @Public().';
    if (loggedRoutes.shouldLog(route)) logger.error(message);
    throw new RakomiGuardMissingError(message);
  }
  return key === undefined ? claims : claims[key];
}

const currentUser = createParamDecorator(readClaims);

/**
 * Injects the claims that `RakomiAuthGuard` verified, or one claim by name, in controllers,
 * resolvers, gateways and message handlers alike. On a handler that the guard did not protect it
 * throws (a 500 and a log line naming the fix) instead of giving `undefined`.
 *
 * @example
 * @Get('me') me(@CurrentUser() user: RakomiClaims) { return user }
 * @Query(() => String) email(@CurrentUser('email') email: string) { return email }
 * @SubscribeMessage('whoami') whoami(@CurrentUser('sub') sub: string) { return sub }
 */
export function CurrentUser(key?: keyof RakomiClaims & string): ParameterDecorator {
  return currentUser(key);
}
