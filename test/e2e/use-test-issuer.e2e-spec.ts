// useRakomiTestIssuer(): the app's real AppModule, configured from the environment, tested against a local issuer.
import { Controller, Get, Module, type INestApplication, type Type } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { APP_GUARD } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test, type TestingModuleBuilder } from '@nestjs/testing';
import { CurrentUser, RakomiAuthGuard, RakomiModule } from '@rakomi/nestjs';
import { RakomiTestIssuer, useRakomiTestIssuer } from '@rakomi/nestjs/testing';
import request from 'supertest';

@Controller('me')
class MeController {
  @Get() me(@CurrentUser('sub') sub: string): { sub: string } {
    return { sub };
  }
}

const guard = { provide: APP_GUARD, useClass: RakomiAuthGuard };

/** A real AppModule: forRoot from process.env (no RAKOMI_API_KEY in tests → missing_api_key, or api.rakomi.com). */
@Module({
  imports: [RakomiModule.forRoot({ apiKey: process.env.RAKOMI_API_KEY!, audience: 'my-api', isGlobal: true })],
  controllers: [MeController],
  providers: [guard],
})
class ForRootAppModule {}

/** A real AppModule: forRootAsync reading ConfigService, which throws without RAKOMI_API_KEY. */
@Module({
  imports: [
    ConfigModule.forRoot({ ignoreEnvFile: true, isGlobal: true }),
    RakomiModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService) => ({ apiKey: config.getOrThrow<string>('RAKOMI_API_KEY'), audience: 'my-api' }),
      isGlobal: true,
    }),
  ],
  controllers: [MeController],
  providers: [guard],
})
class ForRootAsyncAppModule {}

const APP_MODULES: [string, Type][] = [
  ['forRoot', ForRootAppModule],
  ['forRootAsync with ConfigService', ForRootAsyncAppModule],
];

let issuer: RakomiTestIssuer;
const savedKey = process.env.RAKOMI_API_KEY;
beforeAll(async () => {
  delete process.env.RAKOMI_API_KEY;
  issuer = await RakomiTestIssuer.start({ audience: 'my-api' });
});
afterAll(async () => {
  if (savedKey !== undefined) process.env.RAKOMI_API_KEY = savedKey;
  await issuer.close();
});

async function startApp(builder: TestingModuleBuilder, adapter: 'express' | 'fastify'): Promise<INestApplication> {
  const moduleRef = await builder.compile();
  const app =
    adapter === 'fastify'
      ? moduleRef.createNestApplication(new FastifyAdapter(), { logger: false })
      : moduleRef.createNestApplication({ logger: false });
  await app.init();
  if (adapter === 'fastify') await app.getHttpAdapter().getInstance().ready();
  return app;
}

describe.each(APP_MODULES)('the real AppModule using %s', (_name, appModule) => {
  it('cannot start in a test without the helper (the trap the helper removes)', async () => {
    await expect(Test.createTestingModule({ imports: [appModule] }).compile()).rejects.toThrow(/apiKey is required|RAKOMI_API_KEY/);
  });

  it.each(['express', 'fastify'] as const)('verifies tokens of the local issuer on %s with one line', async (adapter) => {
    issuer.resetHits(); // before start: the module may load the keys at boot
    const app = await startApp(useRakomiTestIssuer(Test.createTestingModule({ imports: [appModule] }), issuer), adapter);
    try {
      const ok = await request(app.getHttpServer())
        .get('/me')
        .set('Authorization', `Bearer ${issuer.token({ sub: 'usr_t' })}`);
      expect([ok.status, ok.body]).toEqual([200, { sub: 'usr_t' }]);
      expect(issuer.hits).toBeGreaterThan(0);
      const wrongAudience = await request(app.getHttpServer())
        .get('/me')
        .set('Authorization', `Bearer ${issuer.badToken('wrong_audience')}`);
      expect([wrongAudience.status, wrongAudience.body.code]).toEqual([401, 'token/invalid_audience']);
      expect((await request(app.getHttpServer()).get('/me')).status).toBe(401);
    } finally {
      await app.close();
    }
  });
});

describe('useRakomiTestIssuer overrides', () => {
  it('applies option overrides on top of the issuer options', async () => {
    const builder = useRakomiTestIssuer(Test.createTestingModule({ imports: [ForRootAppModule] }), issuer, { audience: 'another-api' });
    const app = await startApp(builder, 'express');
    try {
      const response = await request(app.getHttpServer()).get('/me').set('Authorization', `Bearer ${issuer.token()}`);
      expect([response.status, response.body.code]).toEqual([401, 'token/invalid_audience']);
      const accepted = await request(app.getHttpServer())
        .get('/me')
        .set('Authorization', `Bearer ${issuer.token({ aud: 'another-api' })}`);
      expect(accepted.status).toBe(200);
    } finally {
      await app.close();
    }
  });
});
