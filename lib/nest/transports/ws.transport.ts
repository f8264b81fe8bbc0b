import type { IncomingMessage } from 'node:http';
import type { ArgumentsHost } from '@nestjs/common';
import { isRakomiError } from '../../errors/rakomi.error.js';
import { authorizationHeaders } from '../utils/http-request.util.js';
import type { AuthTransport, Credentials } from './auth-transport.interface.js';
import { errorBody, type RakomiErrorResponseBody } from './error-body.js';

/** The part of a socket.io `Socket` read here. */
interface SocketIoSocket {
  handshake: { auth?: Record<string, unknown> };
  request?: IncomingMessage;
  emit(event: string, body: unknown): unknown;
}

/** The part of a `ws` `WebSocket` used here. */
interface NativeSocket {
  readyState: number;
  send(data: string): void;
}

export function isSocketIoSocket(client: unknown): client is SocketIoSocket {
  return typeof (client as { handshake?: unknown } | null)?.handshake === 'object';
}

/**
 * `Authorization` values of a `ws` connection's upgrade request, recorded by `authenticateConnection()`
 * (the `ws` socket does not keep its request). A socket without a record has no credential.
 */
const handshakes = new WeakMap<object, Credentials>();

/** Records the credentials of a `ws` connection's upgrade request for the per-message guard. */
export function rememberHandshake(client: object, request: IncomingMessage | undefined): Credentials {
  const credentials = authorizationHeaders(request);
  handshakes.set(client, credentials);
  return credentials;
}

/**
 * The handshake credentials of a socket.io socket: `auth.token` (bare, or `Bearer <token>`) and the
 * `Authorization` header(s) of its first request. Both at once are refused as ambiguous.
 */
function socketIoCredentials(socket: SocketIoSocket): Credentials {
  const found: string[] = [];
  const token = socket.handshake.auth?.token;
  if (typeof token === 'string') found.push(/^bearer[ \t]/i.test(token) ? token : `Bearer ${token}`);
  const headers = authorizationHeaders(socket.request);
  if (headers !== undefined) found.push(...headers);
  return found.length === 0 ? undefined : found;
}

/** The credentials a WebSocket client connected with (socket.io handshake, or the recorded `ws` upgrade). */
export function connectionCredentials(client: object): Credentials {
  return isSocketIoSocket(client) ? socketIoCredentials(client) : handshakes.get(client);
}

/** Sends `body` as the gateway error event `exception`, as Nest's own WebSocket filter does. */
export function sendWsException(client: unknown, body: RakomiErrorResponseBody): void {
  if (isNativeSocket(client)) {
    client.send(JSON.stringify({ event: 'exception', data: body }));
  } else if (typeof (client as SocketIoSocket | null)?.emit === 'function') {
    (client as SocketIoSocket).emit('exception', body);
  }
}

function client(host: ArgumentsHost): object {
  return host.switchToWs().getClient<object>();
}

/**
 * WebSocket gateways (`@nestjs/websockets`, socket.io or `ws`): the token of the connection's
 * handshake, checked again for every guarded message; claims on the client socket; a refusal is a
 * `WsException` carrying the catalog body (the client's `exception` event), never logged as an error.
 */
export const wsTransport: AuthTransport = {
  claimsHolder: client,
  credentials: (_context, socket) => (socket === undefined ? undefined : connectionCredentials(socket)),
  async refuse(error, socket) {
    if (!isRakomiError(error)) throw error;
    const { BaseWsExceptionFilter, WsException } = await import('@nestjs/websockets');
    const body = errorBody(error);
    if (isNativeSocket(socket) && !deliversToNativeSockets(BaseWsExceptionFilter)) sendWsException(socket, body);
    throw new WsException(body);
  },
};

function isNativeSocket(client: unknown): client is NativeSocket {
  return typeof (client as NativeSocket | null)?.readyState === 'number' && typeof (client as NativeSocket).send === 'function';
}

/**
 * Whether Nest's own WebSocket exception filter sends the `exception` event over a native `ws`
 * socket (Nest 12: its `emitMessage` picks `send()`). Nest 11's only calls `client.emit()`, which on
 * a `ws` socket is a local event the client never sees, so the guard sends the event itself there.
 */
function deliversToNativeSockets(filter: Function): boolean {
  return typeof (filter.prototype as { emitMessage?: unknown }).emitMessage === 'function';
}
