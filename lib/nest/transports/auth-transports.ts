import type { AuthTransport } from './auth-transport.interface.js';
import { graphqlTransport } from './graphql.transport.js';
import { httpTransport } from './http.transport.js';
import { rpcTransport } from './rpc.transport.js';
import { wsTransport } from './ws.transport.js';

/**
 * Transports by Nest context type (`context.getType()`). Nothing of `@nestjs/graphql`,
 * `@nestjs/websockets`, `@nestjs/microservices` (or `graphql`) is loaded until an error has to be
 * shaped for that transport, so an HTTP-only app needs none of them installed.
 */
const TRANSPORTS: Readonly<Record<string, AuthTransport>> = {
  http: httpTransport,
  graphql: graphqlTransport,
  ws: wsTransport,
  rpc: rpcTransport,
};

/** The transport of a context type, or `undefined` for a type this package does not know. */
export function findAuthTransport(type: string): AuthTransport | undefined {
  return Object.hasOwn(TRANSPORTS, type) ? TRANSPORTS[type] : undefined;
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
