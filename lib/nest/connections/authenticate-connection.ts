import type { IncomingMessage } from 'node:http';
import { isRakomiError } from '../../errors/rakomi.error.js';
import type { RakomiClaims } from '../../token/rakomi-claims.interface.js';
import type { TokenService } from '../../token/token.service.js';
import { closeCode } from '../transports/close-code.js';
import { errorBody } from '../transports/error-body.js';
import { connectionCredentials, isSocketIoSocket, rememberHandshake, sendWsException } from '../transports/ws.transport.js';

/** The members of a socket.io `Socket` or a `ws` `WebSocket` used to refuse it. */
interface RefusableSocket {
  disconnect?(close: boolean): unknown;
  close?(code: number, reason: string): unknown;
}

/**
 * Authenticates a new WebSocket connection from its handshake, for a gateway's `handleConnection`:
 * socket.io's `auth.token` (bare or `Bearer <token>`) or the `Authorization` header; for `ws`,
 * the `Authorization` header of the upgrade request (pass `request`, Nest's second argument, which
 * is also what the per-message guard reads later). A refused connection gets the catalog body as
 * an `exception` event and is disconnected (socket.io), or is closed with code 4401 / 4403 / 4400
 * (1013 "Try Again Later" when the JWKS is unreachable) and the catalog code as reason (`ws`).
 * It never throws.
 *
 * @returns the verified claims, or `undefined` for a refused connection
 * @example
 * @WebSocketGateway()
 * export class ChatGateway implements OnGatewayConnection {
 *   constructor(private readonly tokens: TokenService) {}
 *   handleConnection(client: Socket, request?: IncomingMessage) {
 *     return authenticateConnection(this.tokens, client, request);
 *   }
 * }
 */
export async function authenticateConnection(
  tokens: TokenService,
  client: object,
  request?: IncomingMessage,
): Promise<RakomiClaims | undefined> {
  const credentials = isSocketIoSocket(client) ? connectionCredentials(client) : rememberHandshake(client, request);
  try {
    return await tokens.verifyAuthorizationHeader(credentials);
  } catch (error) {
    if (!isRakomiError(error)) throw error;
    const socket = client as RefusableSocket;
    if (isSocketIoSocket(client)) {
      sendWsException(client, errorBody(error));
      socket.disconnect?.(true);
    } else {
      socket.close?.(closeCode(error), error.code);
    }
    return undefined;
  }
}
