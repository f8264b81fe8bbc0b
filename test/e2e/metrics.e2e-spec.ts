// OpenTelemetry metrics with a real MeterProvider + InMemoryMetricExporter, after real HTTP requests.
import { jest } from '@jest/globals';
import { Controller, Get, Module, Post, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { metrics } from '@opentelemetry/api';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import request from 'supertest';
import { CurrentUser, RakomiAuthGuard, RakomiModule, RakomiWebhook, type RakomiModuleOptions } from '@rakomi/nestjs';
import { RakomiTestIssuer } from '@rakomi/nestjs/testing';
import { startApp, type StartedApp } from '../support/app-harness.js';

// Real app boots, child processes and RSA work on a shared 2-core machine: generous per-test budget.
jest.setTimeout(30_000);

@Controller()
class MetricsController {
  @Get('me')
  me(@CurrentUser('sub') sub: string) {
    return { sub };
  }

  @RakomiWebhook()
  @Post('webhooks')
  webhook() {
    return { received: true };
  }
}

@Module({})
class MetricsAppModule {
  static with(options: RakomiModuleOptions): DynamicModule {
    return {
      module: MetricsAppModule,
      imports: [RakomiModule.forRoot(options)],
      controllers: [MetricsController],
      providers: [{ provide: APP_GUARD, useClass: RakomiAuthGuard }],
    };
  }
}

let issuer: RakomiTestIssuer;
let exporter: InMemoryMetricExporter;
let reader: PeriodicExportingMetricReader;
let provider: MeterProvider;
let started: StartedApp;

beforeAll(async () => {
  issuer = await RakomiTestIssuer.start();
  exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  provider = new MeterProvider({ readers: [reader] });
  metrics.setGlobalMeterProvider(provider);
  started = await startApp('express', MetricsAppModule.with(issuer.moduleOptions()));
});
afterAll(async () => {
  await started.close();
  await provider.shutdown();
  metrics.disable();
  await issuer.close();
});

async function collect(): Promise<ResourceMetrics> {
  const { resourceMetrics } = await reader.collect();
  return resourceMetrics;
}

/** Data points of one instrument as `attributes JSON → value` (counters: sum; histograms: count). */
function points(resource: ResourceMetrics, name: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const scope of resource.scopeMetrics) {
    for (const metric of scope.metrics) {
      if (metric.descriptor.name !== name) continue;
      for (const point of metric.dataPoints) {
        const value = point.value as number | { count: number };
        out[JSON.stringify(point.attributes)] = typeof value === 'number' ? value : value.count;
      }
    }
  }
  return out;
}

const me = (token: string) => request(started.server).get('/me').set('Authorization', `Bearer ${token}`);

describe('OpenTelemetry metrics', () => {
  const tokens: string[] = [];

  it('counts verifications by outcome (success split by cache hit/miss), times them, counts JWKS fetches and webhooks', async () => {
    const token = issuer.token({ sub: 'usr_metrics' });
    tokens.push(token);
    expect((await me(token)).status).toBe(200); // miss
    expect((await me(token)).status).toBe(200); // hit
    expect((await me(token)).status).toBe(200); // hit
    for (const kind of ['expired', 'wrong_audience', 'bad_signature', 'unknown_kid'] as const) {
      const bad = issuer.badToken(kind);
      tokens.push(bad);
      expect((await me(bad)).status).toBe(401);
    }
    expect((await request(started.server).get('/me')).status).toBe(401);
    const delivery = issuer.signWebhook({ type: 'user.created' });
    const post = () =>
      request(started.server)
        .post('/webhooks')
        .set(delivery.headers)
        .set('Content-Type', 'application/json')
        .send(delivery.body.toString());
    expect((await post()).status).toBe(201);
    expect((await post()).status).toBe(200); // replay
    expect(
      (
        await request(started.server)
          .post('/webhooks')
          .set({ ...delivery.headers, 'x-rakomi-signature': 'v1,AAAA' })
          .set('Content-Type', 'application/json')
          .send(delivery.body.toString())
      ).status,
    ).toBe(400);

    const data = await collect();
    expect(points(data, 'rakomi.token.verifications')).toEqual({
      '{"rakomi.outcome":"success","rakomi.cache":"miss"}': 1,
      '{"rakomi.outcome":"success","rakomi.cache":"hit"}': 2,
      '{"rakomi.outcome":"token/expired"}': 1,
      '{"rakomi.outcome":"token/invalid_audience"}': 1,
      '{"rakomi.outcome":"token/invalid_signature"}': 1,
      '{"rakomi.outcome":"jwks/no_matching_key"}': 1,
      '{"rakomi.outcome":"token/missing"}': 1,
    });
    const durations = points(data, 'rakomi.token.verification.duration');
    expect(Object.values(durations).reduce((a, b) => a + b, 0)).toBe(8);
    // The preload fetch plus the unknown kid's refetch, both successful.
    expect(points(data, 'rakomi.jwks.fetches')).toEqual({ '{"rakomi.outcome":"success"}': issuer.hits });
    expect(points(data, 'rakomi.jwks.fetch.duration')['{"rakomi.outcome":"success"}']).toBe(issuer.hits);
    expect(Object.keys(points(data, 'rakomi.jwks.key_set.age'))).toEqual(['{}']);
    expect(points(data, 'rakomi.webhook.deliveries')).toEqual({
      '{"rakomi.outcome":"accepted"}': 1,
      '{"rakomi.outcome":"replay"}': 1,
      '{"rakomi.outcome":"webhook/invalid_signature"}': 1,
    });
  });

  it('no attribute value ever carries a token, a claim, a kid or a tenant: only fixed outcomes and codes', async () => {
    const data = await collect();
    const values = data.scopeMetrics.flatMap((scope) =>
      scope.metrics.flatMap((metric) => metric.dataPoints.flatMap((point) => Object.values(point.attributes))),
    );
    expect(values.length).toBeGreaterThan(0);
    const allowed = /^(success|accepted|replay|hit|miss|[a-z]+\/[a-z_]+)$/;
    for (const value of values) expect(String(value)).toMatch(allowed);
    const text = JSON.stringify(
      data.scopeMetrics.map((scope) => scope.metrics.map((metric) => metric.dataPoints.map((p) => p.attributes))),
    );
    const claims = issuer.claims();
    for (const secret of [
      ...tokens,
      ...tokens.map((t) => t.split('.')[1]!),
      claims.sub,
      claims.tenant_id,
      claims.email,
      claims.sid,
      issuer.currentKey.kid,
      'usr_metrics',
    ]) {
      expect(text).not.toContain(String(secret));
    }
  });
});
