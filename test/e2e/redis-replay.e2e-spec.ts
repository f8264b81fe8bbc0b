// Many instances: two Nest apps (Express and Fastify) sharing one real Redis through
// RakomiModule.forRoot({ replayStore: new RedisReplayStore(redis) }), and Redis failures over HTTP.
// The shared server comes from the jest global setup (or CI's REDIS_URL); without it these tests
// FAIL with the reason, they are never skipped.
import { randomBytes } from 'node:crypto';
import { RedisReplayStore, WEBHOOK_REPLAY_ACK } from '@rakomi/nestjs';
import { RakomiTestIssuer } from '@rakomi/nestjs/testing';
import { DeliveryCounter, startFaultApp, sleep, tally, waitFor, type Exchange, type FaultApp } from '../support/fault-app.js';
import type { RedisOptions } from 'ioredis';
import { OwnedRedis, RedisClients, freePort, sharedRedisUrl } from '../support/fault-redis.js';

/** Keys of this run never collide with another suite or run sharing the server. */
const PREFIX = `rakomi-e2e:${randomBytes(6).toString('hex')}:`;
/** The replay store's key lifetime: 2 × webhookTolerance (300 s) + the margin. */
const MIN_TTL = 600;

const clients = new RedisClients();
const apps: FaultApp[] = [];
let issuer: RakomiTestIssuer;
let url: string;

beforeAll(async () => {
  url = sharedRedisUrl();
  await clients.requirePing(url);
  issuer = await RakomiTestIssuer.start();
});

afterAll(async () => {
  for (const app of apps.splice(0)) await app.close();
  clients.closeAll();
  await issuer?.close();
});

/** An app instance with its own ioredis connection (as a separate process would have). */
async function instance(
  adapter: 'express' | 'fastify',
  deliveries: DeliveryCounter,
  store: RedisReplayStore = new RedisReplayStore(clients.open(url), { prefix: PREFIX }),
): Promise<FaultApp> {
  const app = await startFaultApp(issuer.moduleOptions({ replayStore: store }), { adapter, deliveries });
  apps.push(app);
  return app;
}

function signed(deliveryId: string, timestamp?: number) {
  const body = JSON.stringify({ type: 'invoice.paid', data: { id: deliveryId } });
  const { headers } = issuer.signWebhook(body, { deliveryId, ...(timestamp === undefined ? {} : { timestamp }) });
  return { body, headers };
}

function send(app: FaultApp, delivery: { body: string; headers: Record<string, string> }): Promise<Exchange> {
  return app.client.hook(delivery.body, delivery.headers);
}

describe('two instances sharing one Redis', () => {
  const deliveries = new DeliveryCounter();
  let a: FaultApp;
  let b: FaultApp;

  beforeAll(async () => {
    a = await instance('express', deliveries);
    b = await instance('fastify', deliveries);
  });

  it('an exact replay sent to the second instance after the first accepted it → 200 acknowledged, the handler ran once in total', async () => {
    const delivery = signed(`msg_${randomBytes(8).toString('hex')}`);
    const id = delivery.headers['X-Rakomi-Delivery-Id']!;
    const first = await send(a, delivery);
    expect(first.status).toBe(202);
    expect(first.body).toEqual({ handled: id });

    const replayB = await send(b, delivery);
    expect(replayB.status).toBe(200);
    expect(replayB.body).toEqual(WEBHOOK_REPLAY_ACK);
    const replayA = await send(a, delivery);
    expect(replayA.status).toBe(200);
    expect(deliveries.count(id)).toBe(1);

    // Recorded once in Redis, under the configured prefix, for at least 2 × tolerance.
    const admin = clients.open(url);
    const keys = await admin.keys(`${PREFIX}${id}.*`);
    expect(keys).toEqual([`${PREFIX}${id}.${delivery.headers['X-Rakomi-Timestamp']}`]);
    expect(await admin.ttl(keys[0]!)).toBeGreaterThanOrEqual(MIN_TTL);
  });

  it('a genuine retry (same delivery id, new timestamp, re-signed) still runs on the other instance; its own replay does not', async () => {
    const id = `msg_${randomBytes(8).toString('hex')}`;
    const now = Math.floor(Date.now() / 1000);
    const attempt1 = signed(id, now - 20);
    const attempt2 = signed(id, now);
    expect(attempt2.headers['X-Rakomi-Signature']).not.toBe(attempt1.headers['X-Rakomi-Signature']);
    expect((await send(a, attempt1)).status).toBe(202);
    expect((await send(b, attempt2)).status).toBe(202);
    expect(deliveries.count(id)).toBe(2);
    expect((await send(a, attempt2)).status).toBe(200);
    expect((await send(b, attempt1)).status).toBe(200);
    expect(deliveries.count(id)).toBe(2);
  });

  it('concurrent copies spread over both instances: 25 deliveries × 8 copies → each handled exactly once', async () => {
    const ids = Array.from({ length: 25 }, (_, i) => `msg_race_${i}_${randomBytes(4).toString('hex')}`);
    const sends: Promise<Exchange>[] = [];
    for (const id of ids) {
      const delivery = signed(id);
      for (let copy = 0; copy < 8; copy++) sends.push(send(copy % 2 === 0 ? a : b, delivery));
    }
    const results = await Promise.all(sends);
    expect(tally(results)).toEqual({ 202: 25, 200: 175 });
    for (const id of ids) expect([id, deliveries.count(id)]).toEqual([id, 1]);
  });
});

describe('Redis unreachable → 5xx, fail closed, the handler does not run, no hang', () => {
  it.each([
    ['ioredis defaults (offline queue, endless reconnects)', {}],
    ['enableOfflineQueue: false', { enableOfflineQueue: false, maxRetriesPerRequest: 0 }],
  ])('nothing listens on the port, client with %s → 503 + Retry-After within the store timeout', async (_name, redisOptions) => {
    const deliveries = new DeliveryCounter();
    const closedPort = await freePort();
    const store = new RedisReplayStore(clients.open(`redis://127.0.0.1:${closedPort}`, redisOptions), { prefix: PREFIX, timeoutMs: 300 });
    const app = await instance('express', deliveries, store);
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => send(app, signed(`msg_down_${i}`))));
    for (const res of results) {
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toMatch(/^[1-9][0-9]*$/);
      expect(res.text).not.toContain(String(closedPort));
      expect(res.text).not.toMatch(/ECONN|ERR_| {4}at /);
      // Bounded by the store's 300 ms deadline (generous margin for a loaded machine), never a hang.
      expect(res.doneAt - res.sentAt).toBeLessThan(3_000);
    }
    expect(deliveries.total).toBe(0);
  });

  /**
   * Redis crashes while the app runs: deliveries meanwhile → 503, handler not run; once Redis is
   * back, the sender's retry (same delivery id, new timestamp, re-signed, as Rakomi retries) is
   * handled exactly once.
   */
  async function crashAndRecover(redisOptions: RedisOptions): Promise<void> {
    const owned = new OwnedRedis(await freePort());
    await owned.start();
    try {
      const deliveries = new DeliveryCounter();
      const redis = clients.open(owned.url, redisOptions);
      // Without the offline queue, commands sent before the first connection fail: wait for it.
      if (redis.status !== 'ready') await new Promise((resolve) => redis.once('ready', resolve));
      const store = new RedisReplayStore(redis, { prefix: PREFIX, timeoutMs: 300 });
      const app = await instance('fastify', deliveries, store);
      expect((await send(app, signed('msg_before_crash'))).status).toBe(202);

      await owned.kill();
      // Redis is down (not merely dying): the client has noticed the closed connection.
      await waitFor(() => redis.status !== 'ready', 'ioredis to notice the crash', 3_000);
      const sentAt = Math.floor(Date.now() / 1000);
      const during = signed('msg_during_crash', sentAt);
      const refused = await Promise.all([send(app, during), send(app, during), send(app, signed('msg_during_2'))]);
      for (const res of refused) {
        expect(res.status).toBe(503);
        expect(res.doneAt - res.sentAt).toBeLessThan(3_000);
      }
      expect(deliveries.total).toBe(1); // msg_before_crash only

      await owned.start();
      // The sender retries, re-signed with a new timestamp each time, until it gets a 2xx
      // (ioredis reconnects on its own).
      let answered: Exchange | undefined;
      for (let attempt = 1; attempt <= 40 && answered === undefined; attempt++) {
        const res = await send(app, signed('msg_during_crash', sentAt + attempt));
        if (res.status !== 503) answered = res;
        else await sleep(100);
      }
      // 202 = handled now; a 200 would be a replay acknowledgement for a delivery that never ran.
      expect(answered?.status).toBe(202);
      expect(deliveries.count('msg_during_crash')).toBe(1);
      expect(deliveries.count('msg_before_crash')).toBe(1);
      expect(deliveries.total).toBe(2);
    } finally {
      await owned.kill();
    }
  }

  it.each([
    ['enableOfflineQueue: false', { enableOfflineQueue: false, maxRetriesPerRequest: 0 }],
    ['ioredis defaults', {}],
  ])(
    'Redis crashes while the app runs (client with %s) → 503, handler not run; after recovery the re-signed retry is handled once',
    async (_name, redisOptions) => {
      await crashAndRecover(redisOptions);
    },
  );
});
