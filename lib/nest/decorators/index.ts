export { CurrentUser, RakomiGuardMissingError } from './current-user.decorator.js';
export { Public } from './public.decorator.js';
export { RakomiWebhook } from './rakomi-webhook.decorator.js';
export { WebhookEvent } from './webhook-event.decorator.js';
