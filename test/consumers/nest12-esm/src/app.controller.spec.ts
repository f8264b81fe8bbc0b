import { Test, TestingModule } from '@nestjs/testing';
import { RakomiModule, TokenService, isRakomiError } from '@rakomi/nestjs';
import { RakomiTestIssuer } from '@rakomi/nestjs/testing';
import { AppController } from './app.controller.js';
import { AppService } from './app.service.js';

describe('AppController', () => {
  let issuer: RakomiTestIssuer;
  let moduleRef: TestingModule;
  let appController: AppController;

  beforeAll(async () => {
    issuer = await RakomiTestIssuer.start({ audience: 'nest12-esm' });
    moduleRef = await Test.createTestingModule({
      imports: [RakomiModule.forRoot(issuer.moduleOptions())],
      controllers: [AppController],
      providers: [AppService],
    }).compile();
    appController = moduleRef.get(AppController);
  });

  afterAll(async () => {
    await moduleRef.close();
    await issuer.close();
  });

  it('returns "Hello World!"', () => {
    expect(appController.getHello()).toBe('Hello World!');
  });

  it('greets the user of a token TokenService verified against the test issuer', async () => {
    const claims = await moduleRef.get(TokenService).verify(issuer.token({ sub: 'usr_unit' }));
    expect(appController.me(claims)).toEqual({ greeting: 'Hello usr_unit!', sub: 'usr_unit' });
  });

  it('rejects an expired token with the catalog error', async () => {
    const error: unknown = await moduleRef
      .get(TokenService)
      .verify(issuer.badToken('expired'))
      .catch((e: unknown) => e);
    expect(isRakomiError(error) && error.code).toBe('token/expired');
  });
});
