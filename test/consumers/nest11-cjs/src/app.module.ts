import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { RakomiAuthGuard, RakomiModule } from '@rakomi/nestjs';
import { AppController } from './app.controller';
import { AppService } from './app.service';
import { rakomiOptions } from './rakomi-options';
import { WebhooksController } from './webhooks.controller';

@Module({
  imports: [RakomiModule.forRootAsync({ useFactory: () => rakomiOptions(), isGlobal: true })],
  controllers: [AppController, WebhooksController],
  providers: [AppService, { provide: APP_GUARD, useClass: RakomiAuthGuard }],
})
export class AppModule {}
