export { CurrentUser, RakomiGuardMissingError } from './current-user.decorator.js';
export { Public } from './public.decorator.js';
export { RakomiWebhook } from './rakomi-webhook.decorator.js';
export { RpcAuthorization, type RpcAuthorizationReader } from './rpc-authorization.decorator.js';
export { WebhookEvent } from './webhook-event.decorator.js';
