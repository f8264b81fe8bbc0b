// @CurrentUser() trusts only claims RakomiAuthGuard verified for this very request.
import { Controller, Get, Injectable, Module, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { CurrentUser, Public, RakomiModule, type RakomiClaims } from '@rakomi/nestjs';
import { RakomiTestIssuer } from '@rakomi/nestjs/testing';
import request from 'supertest';
import { ADAPTERS, startApp, type StartedApp } from '../support/app-harness.js';

/** Stands for any other middleware or guard that puts something on `request.user`. */
@Injectable()
class ForgedUserGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<{ user?: unknown }>();
    request.user = { sub: 'usr_admin', email: 'forged@example.com' };
    return true;
  }
}

@Public()
@Controller('spoof')
class SpoofController {
  @Get() me(@CurrentUser() user: RakomiClaims) {
    return user;
  }
}

let issuer: RakomiTestIssuer;
beforeAll(async () => {
  issuer = await RakomiTestIssuer.start();
});
afterAll(() => issuer.close());

describe.each(ADAPTERS)('@CurrentUser() on %s', (adapter) => {
  let started: StartedApp;
  beforeAll(async () => {
    @Module({
      imports: [RakomiModule.forRoot({ ...issuer.moduleOptions(), isGlobal: true })],
      controllers: [SpoofController],
      providers: [{ provide: APP_GUARD, useClass: ForgedUserGuard }],
    })
    class SpoofAppModule {}
    started = await startApp(adapter, SpoofAppModule);
  });
  afterAll(() => started.close());

  it('refuses a request.user that RakomiAuthGuard did not verify (500, never the forged claims)', async () => {
    const response = await request(started.server).get('/spoof').set('Authorization', `Bearer ${issuer.token()}`);
    expect(response.status).toBe(500);
    expect(response.text).not.toContain('forged@example.com');
    expect(started.logs.text).toContain('RakomiAuthGuard did not run for this route');
  });
});
