import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { RakomiAuthGuard, RakomiModule } from '@rakomi/nestjs';
import { DevIssuerModule } from './dev/dev-issuer.module.js';
import { HealthController } from './health.controller.js';
import { MeController } from './me.controller.js';
import type { SampleRakomiConfig } from './rakomi-config.js';
import { WebhooksController } from './webhooks.controller.js';

/** The sample API: every route needs a Rakomi token unless it is `@Public()` or a webhook. */
@Module({})
export class AppModule {
  static register(config: SampleRakomiConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [RakomiModule.forRoot(config.options), ...(config.localIssuer ? [DevIssuerModule.register(config.localIssuer)] : [])],
      controllers: [HealthController, MeController, WebhooksController],
      providers: [{ provide: APP_GUARD, useClass: RakomiAuthGuard }],
    };
  }
}
