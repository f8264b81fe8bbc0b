import { Controller, Get, Injectable, Logger, Module, Post, type DynamicModule, type LoggerService } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { APP_GUARD, NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { jest } from '@jest/globals';
import request from 'supertest';
import {
  CurrentUser,
  RakomiAuthGuard,
  RakomiClient,
  RakomiError,
  RakomiModule,
  RakomiWebhook,
  TokenService,
  WebhookService,
  type RakomiLogger,
  type RakomiModuleOptions,
  type RakomiOptionsFactory,
} from '@rakomi/nestjs';
import { RakomiTestIssuer } from '@rakomi/nestjs/testing';
import { ADAPTERS, startApp } from '../support/app-harness.js';
import { CapturingLogger } from '../support/capturing-logger.js';

const STATIC_OPTIONS: RakomiModuleOptions = {
  apiKey: 'akm_test_local',
  audience: 'static-api',
  baseUrl: 'http://127.0.0.1:9',
  realm: 'static',
};

/** A provider in a module that does not import RakomiModule: resolvable only when the module is global. */
@Injectable()
class NeedsRakomi {
  constructor(
    readonly tokens: TokenService,
    readonly webhooks: WebhookService,
    readonly client: RakomiClient,
  ) {}
}

@Module({ providers: [NeedsRakomi], exports: [NeedsRakomi] })
class FeatureModule {}

@Injectable()
class RakomiConfig implements RakomiOptionsFactory {
  constructor(private readonly config: ConfigService) {}
  createRakomiOptions(): RakomiModuleOptions {
    return this.config.getOrThrow<RakomiModuleOptions>('rakomi');
  }
}

@Module({
  imports: [ConfigModule],
  providers: [RakomiConfig],
  exports: [RakomiConfig],
})
class RakomiConfigModule {}

@Controller()
class MeController {
  @Get('me')
  me(@CurrentUser('sub') sub: string): { sub: string } {
    return { sub };
  }
}

@Controller('hooks')
class HookController {
  @RakomiWebhook()
  @Post()
  receive(): void {}
}

let issuer: RakomiTestIssuer;

beforeAll(async () => {
  issuer = await RakomiTestIssuer.start();
});
afterAll(async () => {
  await issuer?.close();
});

/** A ConfigModule loaded with the Rakomi options, as an app reads them from its environment. */
function configModule(options: object): Promise<DynamicModule> {
  return ConfigModule.forRoot({ ignoreEnvFile: true, isGlobal: true, load: [() => ({ rakomi: options })] });
}

/** Compiles a testing module; what the app logs (also while compiling) goes to `logs`. */
async function compile(imports: unknown[], controllers: unknown[] = [], logs: LoggerService = new CapturingLogger()) {
  return Test.createTestingModule({ imports: imports as never[], controllers: controllers as never[] })
    .setLogger(logs)
    .compile();
}

async function expectBootFailure(
  imports: unknown[],
  code: string,
  controllers: unknown[] = [],
  logs?: LoggerService,
): Promise<RakomiError> {
  const failure = await compile(imports, controllers, logs).then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(failure).toBeInstanceOf(RakomiError);
  expect((failure as RakomiError).code).toBe(code);
  return failure as RakomiError;
}

describe('RakomiModule.forRoot()', () => {
  it('provides and exports RakomiClient, TokenService (= client.tokens) and WebhookService (= client.webhooks)', async () => {
    const moduleRef = await compile([RakomiModule.forRoot(STATIC_OPTIONS)]);
    const client = moduleRef.get(RakomiClient);
    expect(client).toBeInstanceOf(RakomiClient);
    expect(moduleRef.get(TokenService)).toBe(client.tokens);
    expect(moduleRef.get(WebhookService)).toBe(client.webhooks);
    expect(client.options.realm).toBe('static');
    await moduleRef.close();
  });

  it('isGlobal: true makes the services injectable in modules that do not import RakomiModule', async () => {
    expect(RakomiModule.forRoot({ ...STATIC_OPTIONS, isGlobal: true }).global).toBe(true);
    expect(RakomiModule.forRoot(STATIC_OPTIONS).global).toBe(false);

    const moduleRef = await compile([RakomiModule.forRoot({ ...STATIC_OPTIONS, isGlobal: true }), FeatureModule]);
    const needs = moduleRef.get(NeedsRakomi);
    expect(needs.client).toBe(moduleRef.get(RakomiClient));
    expect(needs.tokens).toBe(needs.client.tokens);
    expect(needs.webhooks).toBe(needs.client.webhooks);
    await moduleRef.close();

    await expect(compile([RakomiModule.forRoot(STATIC_OPTIONS), FeatureModule])).rejects.toThrow(/NeedsRakomi/);
  });

  it('hands the core a Nest Logger with context "rakomi", unless the app chose a logger', async () => {
    const captured = new CapturingLogger();
    const moduleRef = await compile([RakomiModule.forRoot(STATIC_OPTIONS)], [], captured);
    const logger = moduleRef.get(RakomiClient).options.logger;
    expect(logger).toBeInstanceOf(Logger);
    logger!.warn('probe-from-core');
    expect(captured.entries).toContainEqual(expect.objectContaining({ level: 'warn', text: 'probe-from-core rakomi' }));
    await moduleRef.close();

    const own: RakomiLogger = { log: () => undefined, warn: () => undefined, error: () => undefined };
    const withOwn = await compile([RakomiModule.forRoot({ ...STATIC_OPTIONS, logger: own })]);
    expect(withOwn.get(RakomiClient).options.logger).toBe(own);
    await withOwn.close();

    const silent = await compile([RakomiModule.forRoot({ ...STATIC_OPTIONS, logger: false })]);
    expect(silent.get(RakomiClient).options.logger).toBeUndefined();
    await silent.close();
  });

  it('closes the client (JWKS timers) when the application shuts down', async () => {
    const moduleRef = await compile([RakomiModule.forRoot(STATIC_OPTIONS)]);
    const client = moduleRef.get(RakomiClient);
    const close = jest.spyOn(client, 'close');
    await moduleRef.close();
    expect(close).toHaveBeenCalledTimes(1);
  });
});

describe('RakomiModule.forRootAsync()', () => {
  it('useFactory + inject ConfigService (imports), isGlobal', async () => {
    const dynamic = RakomiModule.forRootAsync({
      imports: [ConfigModule],
      inject: [ConfigService],
      useFactory: (config: ConfigService) => config.getOrThrow<RakomiModuleOptions>('rakomi'),
      isGlobal: true,
    });
    expect(dynamic.global).toBe(true);
    const moduleRef = await compile([configModule({ ...STATIC_OPTIONS, realm: 'from-config' }), dynamic, FeatureModule]);
    expect(moduleRef.get(RakomiClient).options.realm).toBe('from-config');
    expect(moduleRef.get(NeedsRakomi).tokens).toBe(moduleRef.get(RakomiClient).tokens);
    await moduleRef.close();
  });

  it('useClass (a RakomiOptionsFactory)', async () => {
    const moduleRef = await compile([
      configModule({ ...STATIC_OPTIONS, realm: 'use-class' }),
      RakomiModule.forRootAsync({ useClass: RakomiConfig }),
    ]);
    expect(moduleRef.get(RakomiClient).options.realm).toBe('use-class');
    await moduleRef.close();
  });

  it('useExisting (a factory provided by an imported module)', async () => {
    const moduleRef = await compile([
      configModule({ ...STATIC_OPTIONS, realm: 'use-existing' }),
      RakomiModule.forRootAsync({ imports: [RakomiConfigModule], useExisting: RakomiConfig }),
    ]);
    expect(moduleRef.get(RakomiClient).options.realm).toBe('use-existing');
    await moduleRef.close();
  });

  it('an async factory may resolve later, and an isGlobal key in its result is not passed to the core', async () => {
    const moduleRef = await compile([
      RakomiModule.forRootAsync({
        useFactory: async () => {
          await new Promise((resolve) => setTimeout(resolve, 5));
          return { ...STATIC_OPTIONS, isGlobal: true } as RakomiModuleOptions;
        },
      }),
    ]);
    expect(moduleRef.get(RakomiClient).options.realm).toBe('static');
    await moduleRef.close();
  });
});

describe('a bad configuration fails the start-up with its config/* error', () => {
  it.each([
    ['missing apiKey', 'config/missing_api_key', { apiKey: '' }],
    ['plain http to a remote host', 'config/invalid_base_url', { ...STATIC_OPTIONS, baseUrl: 'http://auth.rakomi.test' }],
    ['an unknown option', 'config/invalid_option', { ...STATIC_OPTIONS, algorithms: ['HS256'] }],
    ['a malformed webhook secret', 'config/invalid_webhook_secret', { ...STATIC_OPTIONS, webhookSecret: 'whsec_!!!!' }],
    ['no audience', 'config/invalid_option', { apiKey: 'akm_test_local', baseUrl: 'http://127.0.0.1:9' }],
  ])('forRoot: %s → compile() rejects with %s', async (_case, code, options) => {
    await expectBootFailure([RakomiModule.forRoot(options as RakomiModuleOptions)], code);
  });

  it('forRootAsync: the factory’s options are validated the same way', async () => {
    await expectBootFailure(
      [RakomiModule.forRootAsync({ useFactory: () => ({ ...STATIC_OPTIONS, clockTolerance: -1 }) })],
      'config/invalid_option',
    );
  });

  it('a @RakomiWebhook() route without webhookSecret → config/missing_webhook_secret, naming the route', async () => {
    const captured = new CapturingLogger();
    await expectBootFailure([RakomiModule.forRoot(STATIC_OPTIONS)], 'config/missing_webhook_secret', [HookController], captured);
    expect(captured.text).toContain('@RakomiWebhook() is used on HookController.receive but no webhookSecret is configured');
    // The same app without webhook routes needs no secret.
    const moduleRef = await compile([RakomiModule.forRoot(STATIC_OPTIONS)], [MeController]);
    await moduleRef.close();
  });

  it.each(ADAPTERS)('NestFactory.create on %s rejects with the catalog error', async (adapter) => {
    const httpAdapter = adapter === 'fastify' ? new FastifyAdapter() : new ExpressAdapter();
    const created = NestFactory.create(
      { module: class BadAppModule {}, imports: [RakomiModule.forRoot({ apiKey: '   ', audience: null })] } as DynamicModule,
      httpAdapter,
      { abortOnError: false, logger: new CapturingLogger() },
    );
    await expect(created).rejects.toMatchObject({ name: 'RakomiError', code: 'config/missing_api_key', message: 'apiKey is required' });
  });
});

describe.each(ADAPTERS)('an app configured through ConfigService on %s', (adapter) => {
  it('verifies tokens from the configured issuer behind a global guard', async () => {
    const appModule: DynamicModule = {
      module: class ConfiguredAppModule {},
      imports: [
        configModule(issuer.moduleOptions()),
        RakomiModule.forRootAsync({
          inject: [ConfigService],
          useFactory: (config: ConfigService) => config.getOrThrow<RakomiModuleOptions>('rakomi'),
          isGlobal: true,
        }),
      ],
      controllers: [MeController],
      providers: [{ provide: APP_GUARD, useClass: RakomiAuthGuard }],
    };
    const started = await startApp(adapter, appModule);
    try {
      const ok = await request(started.server)
        .get('/me')
        .set('Authorization', `Bearer ${issuer.token({ sub: 'usr_cfg' })}`);
      expect(ok.status).toBe(200);
      expect(ok.body).toStrictEqual({ sub: 'usr_cfg' });
      const denied = await request(started.server).get('/me');
      expect(denied.status).toBe(401);
      expect(denied.body.code).toBe('token/missing');
    } finally {
      await started.close();
    }
  });
});
