// Forgetting RakomiModule: the boot error names the fix instead of Nest's "can't resolve dependencies".
import { Controller, Get, HttpCode, Post, UseGuards, type Provider, type Type } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { RakomiAuthGuard, RakomiModule, RakomiWebhook } from '@rakomi/nestjs';
import { RakomiTestIssuer } from '@rakomi/nestjs/testing';

@Controller('open')
class OpenController {
  @Get() open(): string {
    return 'ok';
  }
}

@Controller('guarded')
@UseGuards(RakomiAuthGuard)
class GuardedController {
  @Get() guarded(): string {
    return 'ok';
  }
}

@Controller('webhooks')
class WebhookController {
  @RakomiWebhook()
  @Post()
  @HttpCode(204)
  receive(): void {}
}

const GUARD_FIX = 'RakomiAuthGuard needs RakomiModule: import RakomiModule.forRoot(...) (isGlobal: true)';
const WEBHOOK_FIX = '@RakomiWebhook() needs RakomiModule: import RakomiModule.forRoot(...) (isGlobal: true)';

function compile(controllers: Type[], providers: Provider[] = []) {
  return Test.createTestingModule({ controllers, providers }).compile();
}

describe('an app that forgot to import RakomiModule', () => {
  it('fails at boot naming the fix when RakomiAuthGuard is the APP_GUARD', async () => {
    await expect(compile([OpenController], [{ provide: APP_GUARD, useClass: RakomiAuthGuard }])).rejects.toThrow(GUARD_FIX);
  });

  it('fails at boot naming the fix for @UseGuards(RakomiAuthGuard)', async () => {
    await expect(compile([GuardedController])).rejects.toThrow(GUARD_FIX);
  });

  it('fails at boot naming the fix for @RakomiWebhook()', async () => {
    await expect(compile([WebhookController])).rejects.toThrow(WEBHOOK_FIX);
  });

  it('boots the same controllers once RakomiModule is imported', async () => {
    const issuer = await RakomiTestIssuer.start();
    try {
      const moduleRef = await Test.createTestingModule({
        imports: [RakomiModule.forRoot({ ...issuer.moduleOptions(), isGlobal: true })],
        controllers: [GuardedController, WebhookController],
        providers: [{ provide: APP_GUARD, useClass: RakomiAuthGuard }],
      }).compile();
      await moduleRef.close();
    } finally {
      await issuer.close();
    }
  });
});
