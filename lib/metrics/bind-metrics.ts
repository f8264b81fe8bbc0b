import type { TokenService } from '../token/token.service.js';
import type { WebhookService } from '../webhook/webhook.service.js';
import { loadMeter } from './load-meter.js';
import { RakomiMetrics } from './rakomi-metrics.js';

/**
 * Connects the services to OpenTelemetry when `@opentelemetry/api` is installed and a meter
 * provider is registered; otherwise leaves them without metrics. Never rejects.
 */
export async function bindMetrics(tokens: TokenService, webhooks: WebhookService): Promise<void> {
  const meter = await loadMeter().catch(() => undefined);
  if (meter === undefined) return;
  const metrics = new RakomiMetrics(meter, () => {
    const ago = tokens.keySetSnapshot().fetchedAgoMs;
    return ago === undefined ? undefined : ago / 1000;
  });
  tokens.metrics = metrics;
  webhooks.metrics = metrics;
}
