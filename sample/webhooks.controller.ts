import { Controller, HttpCode, Logger, Post } from '@nestjs/common';
import { RakomiWebhook, WebhookEvent, type RakomiWebhookEvent } from '@rakomi/nestjs';

/** Rakomi's signed webhooks: verified from the raw body, never asked for a bearer token. */
@Controller('webhooks')
export class WebhooksController {
  private readonly logger = new Logger(WebhooksController.name);

  @Post('rakomi')
  @HttpCode(200)
  @RakomiWebhook()
  receive(@WebhookEvent() event: RakomiWebhookEvent<{ type?: string }>): { received: true } {
    this.logger.log(`webhook ${event.deliveryId} (${event.payload.type ?? 'untyped'}) sent at ${event.timestamp.toISOString()}`);
    return { received: true };
  }
}
