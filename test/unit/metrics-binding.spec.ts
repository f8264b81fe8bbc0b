// OpenTelemetry is optional: no meter provider → no metrics object, so the verification path records nothing.
import { metrics } from '@opentelemetry/api';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { RakomiClient } from '../../lib/client/rakomi.client.js';
import { loadMeter } from '../../lib/metrics/load-meter.js';

const options = {
  apiKey: 'k',
  audience: 'my-api',
  baseUrl: 'http://127.0.0.1:9',
  logger: false as const,
  jwks: { preload: false as const },
};

afterEach(() => metrics.disable());

describe('metrics binding', () => {
  it('without a registered meter provider: no meter, and the client’s services carry no metrics', async () => {
    expect(await loadMeter()).toBeUndefined();
    const client = new RakomiClient(options);
    await client.ready().catch(() => undefined);
    expect([client.tokens.metrics, client.webhooks.metrics]).toEqual([undefined, undefined]);
    client.close();
  });

  it('with a meter provider registered before the client is created: both services record', async () => {
    const provider = new MeterProvider();
    metrics.setGlobalMeterProvider(provider);
    expect(await loadMeter()).toBeDefined();
    const client = new RakomiClient(options);
    await client.ready().catch(() => undefined);
    expect(client.tokens.metrics).toBeDefined();
    expect(client.webhooks.metrics).toBe(client.tokens.metrics);
    client.close();
    await provider.shutdown();
  });
});
