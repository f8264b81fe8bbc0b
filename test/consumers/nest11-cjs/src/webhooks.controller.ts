import { Controller, HttpCode, Post } from '@nestjs/common';
import { RakomiWebhook, WebhookEvent } from '@rakomi/nestjs';
import type { RakomiWebhookEvent } from '@rakomi/nestjs';

@Controller('webhooks')
export class WebhooksController {
  @Post('rakomi')
  @HttpCode(200)
  @RakomiWebhook()
  receive(@WebhookEvent() event: RakomiWebhookEvent<{ type: string }>): { received: string } {
    return { received: event.payload.type };
  }
}
