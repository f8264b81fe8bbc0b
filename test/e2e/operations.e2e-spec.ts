// Production operations over real HTTP: JWKS preload at bootstrap against the real local issuer,
// and the @nestjs/terminus health indicator in each state (fresh, stale, failing, Redis down/up).
import { jest } from '@jest/globals';
import { Controller, Get, Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { HealthCheck, HealthCheckService, TerminusModule } from '@nestjs/terminus';
import { Redis } from 'ioredis';
import request from 'supertest';
import { CurrentUser, Public, RakomiAuthGuard, RakomiModule, RedisReplayStore, type RakomiModuleOptions } from '@rakomi/nestjs';
import { RakomiHealthIndicator } from '@rakomi/nestjs/health';
import { RakomiTestIssuer } from '@rakomi/nestjs/testing';
import { ADAPTERS, startApp, type StartedApp } from '../support/app-harness.js';

// Real app boots, child processes and RSA work on a shared 2-core machine: generous per-test budget.
jest.setTimeout(30_000);

@Controller()
class OpsController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly rakomi: RakomiHealthIndicator,
  ) {}

  @Public()
  @Get('health')
  @HealthCheck()
  check() {
    return this.health.check([() => this.rakomi.isHealthy()]);
  }

  @Get('me')
  me(@CurrentUser('sub') sub: string) {
    return { sub };
  }
}

@Module({})
class OpsAppModule {
  static with(options: RakomiModuleOptions): DynamicModule {
    return {
      module: OpsAppModule,
      imports: [TerminusModule, RakomiModule.forRoot({ ...options, isGlobal: true })],
      controllers: [OpsController],
      providers: [RakomiHealthIndicator, { provide: APP_GUARD, useClass: RakomiAuthGuard }],
    };
  }
}

/** A loopback port nothing listens on: a JWKS or Redis that is down. */
async function closedPortUrl(): Promise<string> {
  const gone = await RakomiTestIssuer.start();
  await gone.close();
  return gone.url;
}

async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

let issuer: RakomiTestIssuer;
let started: StartedApp | undefined;
const redisClients: Redis[] = [];

beforeAll(async () => {
  issuer = await RakomiTestIssuer.start();
});
afterEach(async () => {
  await started?.close();
  started = undefined;
  issuer.reset();
  for (const client of redisClients.splice(0)) client.disconnect();
});
afterAll(() => issuer.close());

describe.each(ADAPTERS)('JWKS preload at bootstrap (%s)', (adapter) => {
  it('issuer up: the key set is fetched before the app listens; the first request fetches nothing', async () => {
    started = await startApp(adapter, OpsAppModule.with(issuer.moduleOptions()));
    expect(issuer.hits).toBe(1);
    const res = await request(started.server)
      .get('/me')
      .set('Authorization', `Bearer ${issuer.token({ sub: 'usr_warm' })}`);
    expect([res.status, res.body]).toEqual([200, { sub: 'usr_warm' }]);
    expect(issuer.hits).toBe(1);
  });

  it("issuer down, default 'best-effort': the app boots, logs one warning, and verifies once the issuer is back", async () => {
    issuer.fault({ status: 503 });
    started = await startApp(adapter, OpsAppModule.with(issuer.moduleOptions({ jwks: { cooldown: 0.1 } })));
    expect(
      started.logs.entries.some((line) => line.level === 'warn' && line.text.includes('JWKS preload failed (jwks/fetch_failed)')),
    ).toBe(true);
    expect(started.logs.entries.some((line) => line.level === 'error')).toBe(false);
    issuer.reset();
    const app = started;
    await until(
      async () => (await request(app.server).get('/me').set('Authorization', `Bearer ${issuer.token()}`)).status === 200,
      'a 200',
    );
  });

  it("issuer down, 'required': the boot fails with jwks/fetch_failed", async () => {
    const baseUrl = await closedPortUrl();
    await expect(
      startApp(adapter, OpsAppModule.with(issuer.moduleOptions({ baseUrl, jwks: { preload: 'required' } }))),
    ).rejects.toMatchObject({
      code: 'jwks/fetch_failed',
    });
  });

  it('preload: false leaves the fetch to the first request', async () => {
    started = await startApp(adapter, OpsAppModule.with(issuer.moduleOptions({ jwks: { preload: false } })));
    expect(issuer.hits).toBe(0);
  });
});

describe.each(ADAPTERS)('RakomiHealthIndicator through TerminusModule over HTTP (%s)', (adapter) => {
  const health = async () => request(started!.server).get('/health');

  it('fresh → 200 up, with the key set state and the in-memory replay store', async () => {
    started = await startApp(adapter, OpsAppModule.with(issuer.moduleOptions()));
    const res = await health();
    expect(res.status).toBe(200);
    expect(res.body.info.rakomi).toMatchObject({
      status: 'up',
      replayStore: 'up',
      keySet: { state: 'fresh', serving: true, keys: 1, lastError: null },
    });
  });

  it('stale after an outage → still 200 up, with its age and the last error', async () => {
    started = await startApp(adapter, OpsAppModule.with(issuer.moduleOptions({ jwks: { cacheMaxAge: 0.2 } })));
    issuer.fault({ status: 503 });
    await until(async () => {
      const keySet = (await health()).body.info?.rakomi?.keySet;
      return keySet?.state === 'stale' && keySet.lastError === 'jwks/fetch_failed';
    }, 'a stale key set after a failed refresh');
    const res = await health();
    expect(res.status).toBe(200);
    expect(res.body.info.rakomi.status).toBe('up');
    expect(res.body.info.rakomi.keySet).toMatchObject({ state: 'stale', serving: true, lastError: 'jwks/fetch_failed' });
    expect(res.body.info.rakomi.keySet.ageSeconds).toBeGreaterThan(0);
    expect(typeof res.body.info.rakomi.keySet.nextRetrySeconds).toBe('number');
    // Still serving tokens with the known key.
    expect((await request(started.server).get('/me').set('Authorization', `Bearer ${issuer.token()}`)).status).toBe(200);
  });

  it('failing (no key set can serve) → 503 down with the error code', async () => {
    started = await startApp(adapter, OpsAppModule.with(issuer.moduleOptions({ baseUrl: await closedPortUrl() })));
    const res = await health();
    expect(res.status).toBe(503);
    expect(res.body.error.rakomi).toMatchObject({
      status: 'down',
      keySet: { state: 'failing', serving: false, lastError: 'jwks/fetch_failed' },
    });
  });

  it('Redis replay store: up → 200; Redis down → 503 down (replayStore: down)', async () => {
    const url = process.env.REDIS_URL;
    if (url === undefined) throw new Error('REDIS_URL is not set: the jest global setup starts a redis-server');
    const up = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 0 });
    redisClients.push(up);
    started = await startApp(adapter, OpsAppModule.with(issuer.moduleOptions({ replayStore: new RedisReplayStore(up) })));
    expect((await health()).body.info.rakomi.replayStore).toBe('up');
    await started.close();

    const downUrl = (await closedPortUrl()).replace('http:', 'redis:');
    const down = new Redis(downUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => 50 });
    down.on('error', () => undefined);
    redisClients.push(down);
    started = await startApp(
      adapter,
      OpsAppModule.with(issuer.moduleOptions({ replayStore: new RedisReplayStore(down, { timeoutMs: 300 }) })),
    );
    const res = await health();
    expect(res.status).toBe(503);
    expect(res.body.error.rakomi).toMatchObject({ status: 'down', replayStore: 'down', keySet: { state: 'fresh' } });
  });
});
