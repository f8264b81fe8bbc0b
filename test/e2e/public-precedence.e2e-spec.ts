// Issue 10 item 7: @Public() on a controller must not silently disable an explicit protection on
// one of its handlers. Precedence: handler @Public(…) > handler @UseGuards(RakomiAuthGuard) > controller @Public(…).
import { Controller, Get, Module, UseGuards, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { Public, RakomiAuthGuard, RakomiModule, type RakomiModuleOptions } from '@rakomi/nestjs';
import { RakomiTestIssuer } from '@rakomi/nestjs/testing';
import request from 'supertest';
import { ADAPTERS, startApp, type StartedApp } from '../support/app-harness.js';

class SubclassGuard extends RakomiAuthGuard {}

@Public()
@Controller('open')
class OpenController {
  @Get('plain') plain() {
    return { ok: true };
  }
  @Public(false) @Get('reprotected') reprotected() {
    return { ok: true };
  }
  @UseGuards(RakomiAuthGuard) @Get('guarded') guarded() {
    return { ok: true };
  }
  @UseGuards(SubclassGuard) @Get('subclass') subclass() {
    return { ok: true };
  }
  @Public() @UseGuards(RakomiAuthGuard) @Get('explicitly-public') explicitlyPublic() {
    return { ok: true };
  }
}

@Controller('closed')
class ClosedController {
  @Get('plain') plain() {
    return { ok: true };
  }
  @Public() @Get('opened') opened() {
    return { ok: true };
  }
}

@Module({})
class PrecedenceModule {
  static with(options: RakomiModuleOptions, globalGuard: boolean): DynamicModule {
    return {
      module: PrecedenceModule,
      imports: [RakomiModule.forRoot(options)],
      controllers: [OpenController, ClosedController],
      providers: [SubclassGuard, ...(globalGuard ? [{ provide: APP_GUARD, useClass: RakomiAuthGuard }] : [])],
    };
  }
}

let issuer: RakomiTestIssuer;
beforeAll(async () => {
  issuer = await RakomiTestIssuer.start();
});
afterAll(async () => {
  await issuer.close();
});

describe.each(ADAPTERS)('@Public() precedence on %s', (adapter) => {
  describe.each([
    ['with a global guard', true],
    ['with per-route guards only', false],
  ])('%s', (_name, globalGuard) => {
    let started: StartedApp;
    beforeAll(async () => {
      started = await startApp(adapter, PrecedenceModule.with(issuer.moduleOptions(), globalGuard));
    });
    afterAll(async () => {
      await started.close();
    });

    const protectedRoutes = ['/open/guarded', '/open/subclass', ...(globalGuard ? ['/open/reprotected', '/closed/plain'] : [])];
    const openRoutes = ['/open/plain', '/open/explicitly-public', '/closed/opened', ...(globalGuard ? [] : ['/closed/plain'])];

    it.each(protectedRoutes)('%s asks for a token (401 token/missing), and lets a valid one in', async (path) => {
      const denied = await request(started.server).get(path);
      expect([denied.status, denied.body.code]).toEqual([401, 'token/missing']);
      await request(started.server).get(path).set('Authorization', `Bearer ${issuer.token()}`).expect(200);
    });

    it.each(openRoutes)('%s stays open', async (path) => {
      await request(started.server).get(path).expect(200);
    });
  });
});
