/**
 * Leaf file: injection tokens, metadata keys and request slots of the Nest layer.
 * It imports nothing, so no ESM import cycle can reach it before it is initialised.
 */

/** Injection token of the options given to `RakomiModule.forRoot()` / `forRootAsync()`. */
export const RAKOMI_MODULE_OPTIONS = 'RAKOMI_MODULE_OPTIONS';

/** Metadata key set by `@Public()` on a handler or controller. */
export const RAKOMI_PUBLIC_METADATA = 'rakomi:public';

/** Metadata key set by `@RakomiWebhook()` on a handler or controller. */
export const RAKOMI_WEBHOOK_METADATA = 'rakomi:webhook';

/** Request slot holding the event verified by the `@RakomiWebhook()` interceptor. */
export const RAKOMI_WEBHOOK_EVENT = Symbol.for('rakomi.webhookEvent');

/** Context of the Nest `Logger` the module hands to the core. */
export const RAKOMI_LOGGER_CONTEXT = 'rakomi';

/** Metadata key set by `@RpcAuthorization()` on a message handler or controller. */
export const RAKOMI_RPC_AUTHORIZATION_METADATA = 'rakomi:rpc-authorization';
