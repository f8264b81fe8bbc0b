import type { ArgumentsHost, ExecutionContext } from '@nestjs/common';
import { isRakomiError } from '../../errors/rakomi.error.js';
import type { RpcAuthorizationReader } from '../decorators/rpc-authorization.decorator.js';
import { RAKOMI_RPC_AUTHORIZATION_METADATA } from '../rakomi.constants.js';
import type { AuthTransport, Credentials } from './auth-transport.interface.js';
import { errorBody } from './error-body.js';

/** The default place of a message's token: its payload's `authorization` member. */
const payloadAuthorization: RpcAuthorizationReader = (data) =>
  typeof data === 'object' && data !== null ? (data as { authorization?: string }).authorization : undefined;

function reader(context: ExecutionContext): RpcAuthorizationReader {
  return (
    (Reflect.getMetadata(RAKOMI_RPC_AUTHORIZATION_METADATA, context.getHandler()) as RpcAuthorizationReader | undefined) ??
    (Reflect.getMetadata(RAKOMI_RPC_AUTHORIZATION_METADATA, context.getClass()) as RpcAuthorizationReader | undefined) ??
    payloadAuthorization
  );
}

/** Only strings count as credentials; anything else a reader returns is "no token". */
function asCredentials(value: unknown): Credentials {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.filter((entry): entry is string => typeof entry === 'string');
  return undefined;
}

/**
 * Microservices (`@nestjs/microservices`): the token from the message (`data.authorization`, or
 * where `@RpcAuthorization()` says); claims on the message's transport context (`TcpContext`, …);
 * a refusal is an `RpcException` carrying the catalog body, which the client receives as the error.
 */
export const rpcTransport: AuthTransport = {
  claimsHolder(host: ArgumentsHost) {
    const context: unknown = host.switchToRpc().getContext();
    return typeof context === 'object' && context !== null ? context : undefined;
  },
  credentials(context) {
    const rpc = context.switchToRpc();
    return asCredentials(reader(context)(rpc.getData(), rpc.getContext()));
  },
  async refuse(error) {
    if (!isRakomiError(error)) throw error;
    const { RpcException } = await import('@nestjs/microservices');
    throw new RpcException(errorBody(error));
  },
};
