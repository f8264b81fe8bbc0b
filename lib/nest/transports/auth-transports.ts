import type { AuthTransport } from './auth-transport.interface.js';
import { graphqlTransport } from './graphql.transport.js';
import { httpTransport } from './http.transport.js';
import { rpcTransport } from './rpc.transport.js';
import { wsTransport } from './ws.transport.js';

/**
 * The transport of a Nest context type (`context.getType()`), or `undefined` for a type this
 * package does not know. Nothing of `@nestjs/graphql`, `@nestjs/websockets`,
 * `@nestjs/microservices` (or `graphql`) is loaded until an error has to be shaped for that
 * transport, so an HTTP-only app needs none of them installed.
 */
export function findAuthTransport(type: string): AuthTransport | undefined {
  switch (type) {
    case 'http':
      return httpTransport;
    case 'graphql':
      return graphqlTransport;
    case 'ws':
      return wsTransport;
    case 'rpc':
      return rpcTransport;
    default:
      return undefined;
  }
}

/**
 * The transport of a context type: `http`, `graphql`, `ws` or `rpc`.
 * @throws Error for any other type: the guard fails closed
 */
export function authTransport(type: string): AuthTransport {
  const transport = findAuthTransport(type);
  if (transport === undefined) {
    throw new Error(`RakomiAuthGuard does not know the "${type}" context type and refused it. Mark the handler @Public().`);
  }
  return transport;
}
