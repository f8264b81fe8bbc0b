import { Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { RakomiTestIssuer } from '@rakomi/nestjs/testing';
import { DevIssuerController } from './dev-issuer.controller.js';

/** Mounts the embedded local issuer's dev routes and closes the issuer with the app. */
@Module({})
export class DevIssuerModule implements OnApplicationShutdown {
  constructor(@Inject(RakomiTestIssuer) private readonly issuer: RakomiTestIssuer) {}

  static register(issuer: RakomiTestIssuer): DynamicModule {
    return {
      module: DevIssuerModule,
      controllers: [DevIssuerController],
      providers: [{ provide: RakomiTestIssuer, useValue: issuer }],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.issuer.close();
  }
}
