import { Module, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { APP_FILTER, DiscoveryModule } from '@nestjs/core';
import { preloadJwks } from '../client/preload-jwks.js';
import { RakomiClient } from '../client/rakomi.client.js';
import { TokenService } from '../token/token.service.js';
import { WebhookService } from '../webhook/webhook.service.js';
import { RakomiAccessValidator } from './access/access-route.validator.js';
import { RakomiAccessPolicy } from './access/rakomi-access.policy.js';
import { RakomiExceptionFilter } from './filters/rakomi-exception.filter.js';
import { RakomiConfigurableModuleClass } from './rakomi.module-definition.js';
import { RAKOMI_PROVIDERS } from './rakomi.providers.js';
import { RAKOMI_REPORTING } from './rakomi-reporting.js';

/**
 * Provides and exports `RakomiClient`, `TokenService`, `WebhookService` and `RakomiAccessPolicy`, and registers
 * `RakomiExceptionFilter` for the whole app. A bad configuration fails the start-up with its
 * `config/*` error (so does misused authorization metadata, checked by `RakomiAccessValidator`);
 * the JWK Set is fetched at bootstrap (`jwks.preload`); the client's timers stop when the
 * application shuts down.
 *
 * @example
 * RakomiModule.forRoot({ apiKey: process.env.RAKOMI_API_KEY!, audience: 'my-api', isGlobal: true })
 *
 * @example
 * RakomiModule.forRootAsync({
 *   imports: [ConfigModule],
 *   inject: [ConfigService],
 *   useFactory: (config: ConfigService) => ({ apiKey: config.getOrThrow('RAKOMI_API_KEY') }),
 *   isGlobal: true,
 * })
 */
@Module({
  imports: [DiscoveryModule],
  providers: [...RAKOMI_PROVIDERS, { provide: APP_FILTER, useClass: RakomiExceptionFilter }, RakomiAccessPolicy, RakomiAccessValidator],
  exports: [RakomiClient, TokenService, WebhookService, RakomiAccessPolicy, RAKOMI_REPORTING],
})
export class RakomiModule extends RakomiConfigurableModuleClass implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(private readonly client: RakomiClient) {
    super();
  }

  /**
   * Fetches the JWK Set before the app starts listening, as `jwks.preload` says (default
   * `'best-effort'`: a failure is logged and the app boots anyway).
   * @throws RakomiError `jwks/fetch_failed` or `jwks/invalid_response` with `jwks.preload: 'required'`
   */
  onApplicationBootstrap(): Promise<void> {
    return preloadJwks(this.client);
  }

  /** Stops the background JWKS refreshes so the process can exit. */
  onApplicationShutdown(): void {
    this.client.close();
  }
}
