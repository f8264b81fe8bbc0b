export { WebhookService, type WebhookHeaders } from './webhook.service.js';
export type { RakomiWebhookEvent } from './rakomi-webhook-event.interface.js';
