import { SetMetadata, type CustomDecorator } from '@nestjs/common';
import { RAKOMI_RPC_AUTHORIZATION_METADATA } from '../rakomi.constants.js';

/**
 * Reads the `Authorization`-style value (`Bearer <token>`) of a microservice message: from the
 * payload (`data`) or from the transport's context (`NatsContext`, `KafkaContext`, `RmqContext`, …).
 * Return `undefined` when the message carries none.
 */
export type RpcAuthorizationReader = (data: unknown, context: unknown) => string | readonly string[] | undefined;

/**
 * Where `RakomiAuthGuard` finds the token of the messages of a handler or controller. Without it,
 * the token is the `authorization` member of the payload: `client.send('pattern', { authorization: 'Bearer …', … })`.
 *
 * @example
 * @RpcAuthorization((_data, context) => (context as NatsContext).getHeaders()?.get('authorization'))
 * @MessagePattern('orders.get') get(@CurrentUser('sub') sub: string) { … }
 */
export function RpcAuthorization(read: RpcAuthorizationReader): CustomDecorator<string> {
  return SetMetadata(RAKOMI_RPC_AUTHORIZATION_METADATA, read);
}
