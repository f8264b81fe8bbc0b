import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { RakomiWebhookEvent } from '../../webhook/rakomi-webhook-event.interface.js';
import { RAKOMI_WEBHOOK_EVENT } from '../rakomi.constants.js';

function readEvent(key: keyof RakomiWebhookEvent | undefined, context: ExecutionContext): unknown {
  const request = context.getType() === 'http' ? context.switchToHttp().getRequest<Record<PropertyKey, unknown>>() : undefined;
  const event = request?.[RAKOMI_WEBHOOK_EVENT] as RakomiWebhookEvent | undefined;
  if (event === undefined) {
    throw new Error(
      `@WebhookEvent() on ${context.getClass().name}.${context.getHandler().name} needs @RakomiWebhook() on the route or its controller`,
    );
  }
  return key === undefined ? event : event[key];
}

const webhookEvent = createParamDecorator(readEvent);

/**
 * Injects the verified `RakomiWebhookEvent` of a `@RakomiWebhook()` route (or one of its members).
 *
 * @example
 * @RakomiWebhook() @Post('webhooks')
 * receive(@WebhookEvent() event: RakomiWebhookEvent<UserCreated>) { ... }
 */
export function WebhookEvent(key?: keyof RakomiWebhookEvent): ParameterDecorator {
  return webhookEvent(key);
}
