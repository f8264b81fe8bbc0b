import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { RakomiClient } from '../../client/rakomi.client.js';

/**
 * A `@nestjs/terminus` health indicator for Rakomi: the JWK Set's state (`fresh`, `stale` with its
 * age, `failing` with the last error code and the next retry) and the webhook replay store's
 * reachability (Redis `PING` for `RedisReplayStore`). **Up** while the service still answers,
 * a stale key set included; **down** only when tokens cannot be verified or the replay store
 * does not answer. Import it from `@rakomi/nestjs/health` (apps without terminus never load it).
 *
 * @example
 * // health.module.ts: imports: [TerminusModule], providers: [RakomiHealthIndicator] (RakomiModule isGlobal)
 * @Get('health') @Public() @HealthCheck()
 * check() { return this.health.check([() => this.rakomi.isHealthy()]); }
 */
@Injectable()
export class RakomiHealthIndicator {
  constructor(
    private readonly client: RakomiClient,
    private readonly indicators: HealthIndicatorService,
  ) {}

  /** @param key the name of the entry in the health report @default 'rakomi' */
  async isHealthy<const Key extends string = 'rakomi'>(key: Key = 'rakomi' as Key): Promise<HealthIndicatorResult<Key>> {
    const status = await this.client.getStatus();
    const data = { keySet: status.keySet, replayStore: status.replayStore.state };
    const indicator = this.indicators.check(key);
    return status.healthy ? indicator.up(data) : indicator.down(data);
  }
}
