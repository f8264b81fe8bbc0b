// RedisReplayStore against a REAL redis-server (REDIS_URL, default redis://127.0.0.1:6390:
// `.ci/redis.sh start`, or the jest global setup). Without a reachable Redis these tests FAIL.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { resolveOptions } from '../../lib/options/index.js';
import { RedisReplayStore, ReplayStoreUnavailableError } from '../../lib/replay/redis-replay.store.js';
import { webhookSignature } from '../../lib/testing/webhook-signer.js';
import { WebhookService } from '../../lib/webhook/webhook.service.js';
import { freePort } from '../support/fault-redis.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6390';
/** Keys of this run never collide with another run sharing the server. */
const RUN = `rakomi-test:${randomBytes(6).toString('hex')}:`;

const clients: Redis[] = [];
/** A client with ioredis' defaults (offline queue on, endless reconnects): the hang-prone setup. */
function client(url = REDIS_URL): Redis {
  const redis = new Redis(url);
  redis.on('error', () => {}); // connection errors surface through the store's rejections
  clients.push(redis);
  return redis;
}

async function requireRedis(): Promise<void> {
  const probe = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 2000 });
  probe.on('error', () => {});
  try {
    await probe.connect();
    if ((await probe.ping()) !== 'PONG') throw new Error('no PONG');
  } catch {
    const why = process.env.REDIS_UNAVAILABLE ? ` (${process.env.REDIS_UNAVAILABLE})` : '';
    throw new Error(
      `Redis is not reachable at ${REDIS_URL}${why}. These tests need a real redis-server: run ".ci/redis.sh start" ` +
        '(apt-get install -y redis-server) or set REDIS_URL.',
    );
  } finally {
    probe.disconnect();
  }
}

/** Resolves with how long `promise` took to settle and how it settled. */
async function timed<T>(promise: Promise<T>): Promise<{ ms: number; error?: unknown; value?: T }> {
  const started = performance.now();
  try {
    const value = await promise;
    return { ms: performance.now() - started, value };
  } catch (error) {
    return { ms: performance.now() - started, error };
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

afterAll(() => {
  for (const redis of clients) redis.disconnect();
});

describe('RedisReplayStore on a real Redis', () => {
  beforeAll(requireRedis);

  it('first claim true, second false; stored as SET key 1 with the ttl and the prefix', async () => {
    const redis = client();
    const store = new RedisReplayStore(redis, { prefix: RUN });
    await expect(store.claim('msg_1.1750000000', 660)).resolves.toBe(true);
    await expect(store.claim('msg_1.1750000000', 660)).resolves.toBe(false);
    expect(await redis.get(`${RUN}msg_1.1750000000`)).toBe('1');
    const ttl = await redis.ttl(`${RUN}msg_1.1750000000`);
    expect(ttl).toBeGreaterThan(650);
    expect(ttl).toBeLessThanOrEqual(660);
  });

  it('the default prefix is rakomi:webhook:', async () => {
    const redis = client();
    const key = `${RUN}default-prefix`;
    await expect(new RedisReplayStore(redis).claim(key, 5)).resolves.toBe(true);
    expect(await redis.exists(`rakomi:webhook:${key}`)).toBe(1);
    await redis.del(`rakomi:webhook:${key}`);
  });

  it('expiry is honoured: after a 1 s ttl the key can be claimed again; a fractional ttl rounds up', async () => {
    const store = new RedisReplayStore(client(), { prefix: RUN });
    await expect(store.claim('short', 1)).resolves.toBe(true);
    await expect(store.claim('short', 1)).resolves.toBe(false);
    await sleep(1_150);
    await expect(store.claim('short', 1)).resolves.toBe(true);
    await expect(store.claim('fraction', 0.2)).resolves.toBe(true);
    await expect(store.claim('fraction', 0.2)).resolves.toBe(false);
  });

  it('two instances sharing one Redis: A claims, B sees the replay (concurrent claims: exactly one wins)', async () => {
    const a = new RedisReplayStore(client(), { prefix: RUN });
    const b = new RedisReplayStore(client(), { prefix: RUN });
    await expect(a.claim('shared', 60)).resolves.toBe(true);
    await expect(b.claim('shared', 60)).resolves.toBe(false);
    const racers = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? a : b).claim('race', 60)));
    expect(racers.filter(Boolean)).toHaveLength(1);
  });

  it('prefixes isolate stores: the same key claimed under two prefixes is new to each', async () => {
    const redis = client();
    const tenantA = new RedisReplayStore(redis, { prefix: `${RUN}a:` });
    const tenantB = new RedisReplayStore(redis, { prefix: `${RUN}b:` });
    await expect(tenantA.claim('msg_1.1', 60)).resolves.toBe(true);
    await expect(tenantB.claim('msg_1.1', 60)).resolves.toBe(true);
    await expect(tenantA.claim('msg_1.1', 60)).resolves.toBe(false);
  });

  it('R-11 through WebhookService on two instances: 100 deliveries × 10 copies → each handled exactly once', async () => {
    const secret = `whsec_${randomBytes(32).toString('base64')}`;
    const now = 1_750_000_000;
    const instance = () =>
      new WebhookService(
        resolveOptions({
          apiKey: 'akm_test_x',
          audience: null,
          webhookSecret: secret,
          logger: false,
          now: () => now * 1000,
          replayStore: new RedisReplayStore(client(), { prefix: RUN }),
        }),
      );
    const [one, two] = [instance(), instance()];
    const deliveries = Array.from({ length: 1000 }, (_, i) => {
      const id = `msg_r11_${i % 100}`;
      const body = `{"n":${i % 100}}`;
      const headers = {
        'x-rakomi-delivery-id': id,
        'x-rakomi-timestamp': String(now),
        'x-rakomi-signature': webhookSignature([secret], id, now, body),
      };
      const webhooks = i % 2 ? one : two;
      return webhooks.claimDelivery(webhooks.verify(body, headers));
    });
    const claimed = await Promise.all(deliveries);
    expect(claimed.filter(Boolean)).toHaveLength(100);
  });
});

describe('RedisReplayStore fails closed, within timeoutMs', () => {
  beforeAll(requireRedis);
  it('Redis unreachable (nothing listens on the port): the claim rejects within timeoutMs instead of hanging', async () => {
    const port = await freePort();
    const store = new RedisReplayStore(client(`redis://127.0.0.1:${port}`), { prefix: RUN, timeoutMs: 200 });
    const { ms, error } = await timed(store.claim('unreachable', 60));
    expect(error).toBeInstanceOf(ReplayStoreUnavailableError);
    expect(ms).toBeGreaterThanOrEqual(190);
    expect(ms).toBeLessThan(1_000);
    expect(String((error as Error).message)).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|\d{4,5}/);
  });

  it('Redis connected but not answering (CLIENT PAUSE): the claim rejects within timeoutMs', async () => {
    const admin = client();
    const store = new RedisReplayStore(client(), { prefix: RUN, timeoutMs: 150 });
    await expect(store.claim('before-pause', 60)).resolves.toBe(true);
    await admin.call('CLIENT', 'PAUSE', '600', 'WRITE');
    try {
      const { ms, error } = await timed(store.claim('during-pause', 60));
      expect(error).toBeInstanceOf(ReplayStoreUnavailableError);
      expect(ms).toBeLessThan(550);
    } finally {
      await admin.call('CLIENT', 'UNPAUSE');
    }
  });

  describe('a server that stops while the client is connected', () => {
    let server: ChildProcess | undefined;
    afterEach(() => {
      if (server?.exitCode === null) server.kill('SIGKILL');
    });

    it('claims work, then reject within timeoutMs once the server is gone (also through claimDelivery)', async () => {
      const port = await freePort();
      const start = async (): Promise<ChildProcess> => {
        const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
          stdio: 'ignore',
        });
        child.on('error', () => {});
        const probe = new Redis(port, '127.0.0.1', { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
        probe.on('error', () => {});
        for (let attempt = 0; attempt < 100; attempt += 1) {
          try {
            await probe.connect();
            probe.disconnect();
            return child;
          } catch {
            await sleep(30);
          }
        }
        child.kill('SIGKILL');
        throw new Error(`redis-server did not start on port ${port}`);
      };
      server = await start();
      const store = new RedisReplayStore(client(`redis://127.0.0.1:${port}`), { prefix: RUN, timeoutMs: 250 });
      await expect(store.claim('k', 60)).resolves.toBe(true);
      const stopped = new Promise((resolve) => server!.once('exit', resolve));
      server.kill('SIGKILL');
      await stopped;
      const down = await Promise.all([timed(store.claim('k2', 60)), timed(store.claim('k3', 60))]);
      for (const { ms, error } of down) {
        expect(error).toBeInstanceOf(ReplayStoreUnavailableError);
        expect(ms).toBeLessThan(1_000);
      }
      // Through the service: claimDelivery rejects (the Nest layer answers 503), it never resolves true.
      const secret = `whsec_${randomBytes(32).toString('base64')}`;
      const webhooks = new WebhookService(
        resolveOptions({
          apiKey: 'akm_test_x',
          audience: null,
          webhookSecret: secret,
          logger: false,
          now: () => 1_750_000_000_000,
          replayStore: store,
        }),
      );
      const headers = {
        'x-rakomi-delivery-id': 'msg_down',
        'x-rakomi-timestamp': '1750000000',
        'x-rakomi-signature': webhookSignature([secret], 'msg_down', 1_750_000_000, '{}'),
      };
      await expect(webhooks.claimDelivery(webhooks.verify('{}', headers))).rejects.toMatchObject({
        code: 'webhook/replay_store_unavailable',
        cause: expect.any(ReplayStoreUnavailableError),
      });
    });
  });
});

describe('RedisReplayStore options', () => {
  const fake = { set: () => Promise.resolve('OK' as const) };
  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY, 60_001])('timeoutMs %p → RangeError', (timeoutMs) => {
    expect(() => new RedisReplayStore(fake, { timeoutMs })).toThrow(RangeError);
  });

  it('a missing client → TypeError; a non-positive ttl → RangeError', async () => {
    expect(() => new RedisReplayStore(undefined as never)).toThrow(TypeError);
    await expect(new RedisReplayStore(fake).claim('k', 0)).rejects.toThrow(RangeError);
  });

  it('an unexpected reply or a synchronous throw from the client fails closed', async () => {
    await expect(new RedisReplayStore({ set: () => Promise.resolve('QUEUED' as 'OK') }).claim('k', 1)).rejects.toBeInstanceOf(
      ReplayStoreUnavailableError,
    );
    const throwing = {
      set: (): Promise<'OK'> => {
        throw new Error('boom');
      },
    };
    await expect(new RedisReplayStore(throwing).claim('k', 1)).rejects.toBeInstanceOf(ReplayStoreUnavailableError);
  });

  it('an ioredis Redis satisfies the client type', () => {
    const redis = new Redis(REDIS_URL, { lazyConnect: true });
    expect(() => new RedisReplayStore(redis)).not.toThrow();
    redis.disconnect();
  });
});
