import type { ReplayStore } from './replay-store.interface.js';
import { settleWithin } from './settle-within.js';

/**
 * The commands the store sends (`SET … NX`, and `PING` for health checks). An ioredis `Redis` (or
 * `Cluster`) satisfies it; typing it structurally keeps `ioredis` an optional peer dependency.
 */
export interface RedisSetNxClient {
  set(key: string, value: string, secondsToken: 'EX', seconds: number, nx: 'NX'): Promise<'OK' | null>;
  /** Used by {@link RedisReplayStore.ping} (health checks) when the client has it. */
  ping?(): Promise<string>;
}

/** Options of {@link RedisReplayStore}. */
export interface RedisReplayStoreOptions {
  /** Prepended to every key. @default 'rakomi:webhook:' */
  prefix?: string;
  /** How long one claim may wait for Redis before it fails, in milliseconds. @default 1000 */
  timeoutMs?: number;
}

/**
 * The replay store could not answer (unreachable, timed out, unexpected reply). The webhook must
 * then fail closed with a 5xx so the sender retries; its message never names the host or port.
 */
export class ReplayStoreUnavailableError extends Error {
  override readonly name = 'ReplayStoreUnavailableError';
}

const DEFAULT_PREFIX = 'rakomi:webhook:';
const DEFAULT_TIMEOUT_MS = 1_000;
const MAX_TIMEOUT_MS = 60_000;

/**
 * Replay store shared by every instance through Redis: `SET <prefix><key> 1 NX EX <ttl>`, atomic
 * across clients. Each claim waits at most `timeoutMs`: ioredis queues commands while it is
 * disconnected, so without a deadline a webhook would hang for as long as Redis is down.
 * Consider `enableOfflineQueue: false` on a client dedicated to this store, so claims fail at once
 * instead of piling up in the offline queue.
 *
 * @example
 * new RakomiClient({ apiKey, webhookSecret, replayStore: new RedisReplayStore(new Redis(url)) })
 */
export class RedisReplayStore implements ReplayStore {
  readonly #redis: RedisSetNxClient;
  readonly #prefix: string;
  readonly #timeoutMs: number;

  /** @throws TypeError / RangeError for a missing client or an out-of-range option */
  constructor(redis: RedisSetNxClient, options: RedisReplayStoreOptions = {}) {
    if (typeof (redis as Partial<RedisSetNxClient> | null)?.set !== 'function') {
      throw new TypeError('RedisReplayStore needs an ioredis client');
    }
    const prefix = options.prefix ?? DEFAULT_PREFIX;
    if (typeof prefix !== 'string') throw new TypeError('RedisReplayStore prefix must be a string');
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0 || timeoutMs > MAX_TIMEOUT_MS) {
      throw new RangeError(`RedisReplayStore timeoutMs must be in (0, ${MAX_TIMEOUT_MS}]`);
    }
    this.#redis = redis;
    this.#prefix = prefix;
    this.#timeoutMs = timeoutMs;
  }

  /**
   * @returns `true` when this call created the key, `false` when it already existed
   * @throws ReplayStoreUnavailableError when Redis fails or does not answer within `timeoutMs`
   */
  async claim(key: string, ttlSeconds: number): Promise<boolean> {
    if (!Number.isFinite(ttlSeconds) || ttlSeconds <= 0) throw new RangeError('ttlSeconds must be a positive number');
    const reply = await this.#withDeadline(() => this.#redis.set(this.#prefix + key, '1', 'EX', Math.ceil(ttlSeconds), 'NX'));
    if (reply === 'OK') return true;
    if (reply === null) return false;
    throw new ReplayStoreUnavailableError('Replay store gave an unexpected reply');
  }

  /**
   * Sends `PING`, bounded by `timeoutMs` (health checks).
   * @throws ReplayStoreUnavailableError when Redis fails, does not answer in time, or the client has no `ping()`
   */
  async ping(): Promise<void> {
    const redis = this.#redis;
    if (typeof redis.ping !== 'function') throw new ReplayStoreUnavailableError('Replay store client cannot ping');
    await this.#withDeadline(() => redis.ping!());
  }

  /** Settles with the command, or rejects after `timeoutMs`; a late answer is then ignored. */
  async #withDeadline<T>(send: () => Promise<T>): Promise<T> {
    const timedOut = (): Error => new ReplayStoreUnavailableError(`Replay store did not answer within ${this.#timeoutMs} ms`);
    try {
      return await settleWithin(send, this.#timeoutMs, timedOut);
    } catch (cause) {
      if (cause instanceof ReplayStoreUnavailableError) throw cause;
      throw new ReplayStoreUnavailableError('Replay store command failed', { cause });
    }
  }
}
