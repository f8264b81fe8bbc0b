import { Inject, Logger, Module, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { AddressInfo } from 'node:net';
import { RakomiModule } from '../../nest/rakomi.module.js';
import type { RakomiModuleOptions } from '../../options/rakomi-options.interface.js';
import { RakomiTestIssuer } from '../rakomi-test-issuer.js';
import { localAppUrl } from './local-app-url.js';

/** Options of {@link RakomiLocalModule.forRoot}. */
export interface RakomiLocalModuleOptions {
  /** `aud` of the local tokens, and the audience the module expects: use your real one. */
  audience: string;
  /** Port of the local issuer on 127.0.0.1. @default 0 (a free port) */
  port?: number;
  /** Claims of the token printed at start-up, merged over the issuer's defaults (`sub: 'usr_123'`, …). */
  claims?: Record<string, unknown>;
  /** Other `RakomiModule` options (`replayStore`, `logger`, …), applied over the local issuer's. */
  moduleOptions?: Partial<RakomiModuleOptions>;
  /** Log a ready-to-paste `curl` line with a fresh token once the app listens. @default true */
  printToken?: boolean;
  /** Start even when `NODE_ENV` is `production` (a production-like test run). @default false */
  allowInProduction?: boolean;
}

const LOCAL_OPTIONS = Symbol('RakomiLocalModuleOptions');
/** Lifetime of the token printed at start-up, in seconds. */
const PRINTED_TOKEN_TTL = 3_600;

/** Starts the issuer at boot, after refusing a production environment. */
async function startLocalIssuer(options: RakomiLocalModuleOptions): Promise<RakomiTestIssuer> {
  if (process.env.NODE_ENV === 'production' && options.allowInProduction !== true) {
    throw new Error(
      'RakomiLocalModule accepts tokens of an in-process test issuer and refuses to start with NODE_ENV=production. ' +
        'Use RakomiModule.forRoot({ apiKey, audience }) in production, or pass allowInProduction: true for a local test run.',
    );
  }
  return RakomiTestIssuer.start({ audience: options.audience, ...(options.port === undefined ? {} : { port: options.port }) });
}

/** Holds the local issuer, so `RakomiModule.forRootAsync()` and the app share one instance. */
@Module({})
class RakomiLocalIssuerModule {}

/**
 * Development without a Rakomi account: starts the embedded `RakomiTestIssuer` on 127.0.0.1,
 * registers `RakomiModule` (global) against it, logs a `curl` line with a fresh token once the app
 * listens, and makes the issuer injectable to mint more tokens (`issuer.token({ sub })`).
 * It refuses to start when `NODE_ENV` is `production` unless `allowInProduction: true`.
 *
 * @example
 * @Module({ imports: [RakomiLocalModule.forRoot({ audience: 'my-api' })], controllers: [MeController] })
 * export class AppModule {}
 * @throws Error at boot with `NODE_ENV=production` (unless `allowInProduction`)
 */
@Module({})
export class RakomiLocalModule implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RakomiLocalModule.name);

  constructor(
    @Inject(RakomiTestIssuer) private readonly issuer: RakomiTestIssuer,
    @Inject(LOCAL_OPTIONS) private readonly options: RakomiLocalModuleOptions,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  static forRoot(options: RakomiLocalModuleOptions): DynamicModule {
    const issuerModule: DynamicModule = {
      module: RakomiLocalIssuerModule,
      providers: [
        { provide: LOCAL_OPTIONS, useValue: options },
        { provide: RakomiTestIssuer, useFactory: startLocalIssuer, inject: [LOCAL_OPTIONS] },
      ],
      exports: [RakomiTestIssuer, LOCAL_OPTIONS],
    };
    const rakomi = RakomiModule.forRootAsync({
      imports: [issuerModule],
      inject: [RakomiTestIssuer],
      useFactory: (issuer: RakomiTestIssuer) => issuer.moduleOptions({ audience: options.audience, ...options.moduleOptions }),
      isGlobal: true,
    });
    return { module: RakomiLocalModule, global: true, imports: [issuerModule, rakomi], exports: [issuerModule] };
  }

  /** Waits for the HTTP server to listen, then logs where the issuer runs and a token to try. */
  onApplicationBootstrap(): void {
    if (this.options.printToken === false) return;
    const server: unknown = this.adapterHost.httpAdapter?.getHttpServer();
    if (!isListenable(server)) return;
    server.once('listening', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') return;
      const exp = Math.floor(this.issuer.now() / 1000) + PRINTED_TOKEN_TTL;
      const token = this.issuer.token({ exp, ...this.options.claims });
      this.logger.log(
        `Local Rakomi issuer on ${this.issuer.url}, for development only. A token valid for an hour:\n` +
          `  curl -H "Authorization: Bearer ${token}" ${localAppUrl(address)}/\n` +
          'Mint more by injecting RakomiTestIssuer: issuer.token({ sub: "usr_1" }).',
      );
    });
  }

  /** Stops the issuer's HTTP server with the app. */
  async onApplicationShutdown(): Promise<void> {
    await this.issuer.close();
  }
}

/** A Node `net.Server` (Express and Fastify both expose one). */
function isListenable(
  value: unknown,
): value is { once(event: 'listening', listener: () => void): unknown; address(): AddressInfo | string | null } {
  return (
    typeof (value as { once?: unknown } | undefined)?.once === 'function' && typeof (value as { address?: unknown }).address === 'function'
  );
}
