// Real Redis for the multi-instance suite: the shared server of the jest global setup (or CI's
// REDIS_URL), and throw-away redis-server processes this suite starts and stops itself.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { Redis, type RedisOptions } from 'ioredis';

/**
 * The URL of the shared Redis. Fails (never skips) when the global setup reported that none is
 * available, or when no URL was provided at all.
 */
export function sharedRedisUrl(): string {
  const unavailable = process.env.REDIS_UNAVAILABLE;
  if (unavailable) throw new Error(`Redis is required by the multi-instance tests: ${unavailable}`);
  const url = process.env.REDIS_URL;
  if (!url) {
    throw new Error(
      'REDIS_URL is not set: run the tests through jest (its global setup starts redis-server) or set REDIS_URL ' +
        '(.ci/redis.sh start → redis://127.0.0.1:6390).',
    );
  }
  return url;
}

/** Every client opened through {@link RedisClients.open}, so `closeAll()` leaves no open handle. */
export class RedisClients {
  private readonly clients: Redis[] = [];

  /** A client with ioredis' defaults (offline queue, endless reconnects) unless `options` say otherwise. */
  open(url: string, options: RedisOptions = {}): Redis {
    const redis = new Redis(url, options);
    redis.on('error', () => {}); // connection errors surface through the store's rejections
    this.clients.push(redis);
    return redis;
  }

  /** Throws with a clear message unless `url` answers PING within 2 s. */
  async requirePing(url: string): Promise<void> {
    const probe = this.open(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 2_000 });
    try {
      await probe.connect();
      if ((await probe.ping()) !== 'PONG') throw new Error('no PONG');
    } catch (error) {
      throw new Error(`Redis does not answer at ${url} (${String(error)}); the multi-instance tests need a real redis-server`, {
        cause: error,
      });
    } finally {
      probe.disconnect();
    }
  }

  closeAll(): void {
    for (const redis of this.clients.splice(0)) redis.disconnect();
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** A redis-server this suite owns, on a fixed loopback port (so it can be restarted on it). */
export class OwnedRedis {
  private child: ChildProcess | undefined;

  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts redis-server (no persistence) and waits until it answers, at most ~5 s. */
  async start(): Promise<void> {
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    this.child = child;
    const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
    for (let attempt = 0; attempt < 100; attempt++) {
      const failed = await Promise.race([spawnError, new Promise<undefined>((resolve) => setTimeout(resolve, 50, undefined))]);
      if (failed) throw new Error(`could not start redis-server (${failed.message}); install it: apt-get install -y redis-server`);
      const probe = new Redis(this.port, '127.0.0.1', { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
      probe.on('error', () => {});
      try {
        await probe.connect();
        if ((await probe.ping()) === 'PONG') return;
      } catch {
        // not up yet
      } finally {
        probe.disconnect();
      }
    }
    await this.kill();
    throw new Error(`redis-server did not answer on 127.0.0.1:${this.port}`);
  }

  /** SIGKILL (a crash, not a shutdown) and wait for the process to exit. */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise((resolve) => {
      child.once('exit', resolve);
      child.kill('SIGKILL');
    });
  }
}
