import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { RakomiAuthGuard, RakomiModule } from '@rakomi/nestjs';
import { AppController } from './app.controller.js';
import { AppService } from './app.service.js';
import { rakomiOptions } from './rakomi-options.js';
import { WebhooksController } from './webhooks.controller.js';

@Module({
  imports: [RakomiModule.forRootAsync({ useFactory: () => rakomiOptions(), isGlobal: true })],
  controllers: [AppController, WebhooksController],
  providers: [AppService, { provide: APP_GUARD, useClass: RakomiAuthGuard }],
})
export class AppModule {}
