import { isRakomiError } from '../../errors/rakomi.error.js';
import type { TokenService } from '../../token/token.service.js';
import { closeCode } from '../transports/close-code.js';
import { connectionParamsCredentials, type GraphqlWsConnection } from '../transports/graphql.transport.js';

/** The close method of the socket graphql-ws puts in `ctx.extra` (`ws` and `@fastify/websocket`). */
type ClosableExtra = { socket?: { close?(code: number, reason: string): unknown } } | undefined;

/**
 * A graphql-ws `onConnect` that verifies `connectionParams.authorization` (or `Authorization`),
 * `Bearer <token>`, once when the client connects. A refused connection is closed with code
 * 4401 / 4403 / 4400 (1013 "Try Again Later" when the JWKS is unreachable) and the catalog code as
 * reason, before any subscription starts. `RakomiAuthGuard` then checks the same token when each
 * subscription starts (not per event) and gives the resolver its `@CurrentUser()`.
 *
 * @example
 * GraphQLModule.forRootAsync<ApolloDriverConfig>({
 *   driver: ApolloDriver,
 *   inject: [TokenService],
 *   useFactory: (tokens: TokenService) => ({
 *     autoSchemaFile: true,
 *     subscriptions: { 'graphql-ws': { onConnect: graphqlWsOnConnect(tokens) } },
 *   }),
 * })
 */
export function graphqlWsOnConnect(tokens: TokenService): (context: GraphqlWsConnection) => Promise<boolean> {
  return async (context) => {
    try {
      await tokens.verifyAuthorizationHeader(connectionParamsCredentials(context.connectionParams));
      return true;
    } catch (error) {
      if (!isRakomiError(error)) throw error;
      (context.extra as ClosableExtra)?.socket?.close?.(closeCode(error), error.code);
      return false; // graphql-ws's own 4403 when the socket could not be closed here
    }
  };
}
