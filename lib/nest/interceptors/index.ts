export { RakomiWebhookInterceptor, WEBHOOK_REPLAY_ACK } from './rakomi-webhook.interceptor.js';
