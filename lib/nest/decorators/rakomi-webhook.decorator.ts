import { applyDecorators, SetMetadata, UseInterceptors } from '@nestjs/common';
import { RakomiWebhookInterceptor } from '../interceptors/rakomi-webhook.interceptor.js';
import { RAKOMI_WEBHOOK_METADATA } from '../rakomi.constants.js';

/**
 * Marks a route (or every route of a controller) as a Rakomi webhook receiver: the raw body and
 * the `X-Rakomi-*` headers are verified before the handler runs, exact replays are acknowledged
 * with 200 without running it, and `RakomiAuthGuard` never asks these routes for a bearer token.
 * The app must keep the raw body: `NestFactory.create(AppModule, { rawBody: true })`.
 * Start-up fails with `config/missing_webhook_secret` when no `webhookSecret` is configured.
 *
 * @example
 * @RakomiWebhook()
 * @Post('webhooks/rakomi')
 * @HttpCode(204)
 * receive(@WebhookEvent() event: RakomiWebhookEvent<UserCreated>) { ... }
 */
export function RakomiWebhook(): ClassDecorator & MethodDecorator {
  return applyDecorators(SetMetadata(RAKOMI_WEBHOOK_METADATA, true), UseInterceptors(RakomiWebhookInterceptor));
}
