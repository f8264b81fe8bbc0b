// RakomiLocalModule: the user's own app answering 200 with no account, over real HTTP.
import { Controller, Get, Module, UseGuards, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { CurrentUser, RakomiAuthGuard, TokenService, type RakomiClaims } from '@rakomi/nestjs';
import { RakomiLocalModule, RakomiTestIssuer, type RakomiLocalModuleOptions } from '@rakomi/nestjs/testing';
import { ADAPTERS, startApp, type AdapterName } from '../support/app-harness.js';
import type { CapturingLogger } from '../support/capturing-logger.js';

@Controller('me')
@UseGuards(RakomiAuthGuard)
class MeController {
  @Get() me(@CurrentUser() user: RakomiClaims): RakomiClaims {
    return user;
  }
}

function appModule(options: RakomiLocalModuleOptions): new () => object {
  @Module({ imports: [RakomiLocalModule.forRoot(options)], controllers: [MeController] })
  class AppModule {}
  return AppModule;
}

async function listen(adapter: AdapterName, options: RakomiLocalModuleOptions) {
  const { app, logs } = await startApp(adapter, appModule(options), { rawBody: false });
  return { app, logger: logs, url: await app.getUrl() };
}

/** The `curl -H "Authorization: Bearer …" <url>/` line of the start-up log. */
function printedCurl(lines: string[]): { token: string; url: string } {
  const match = /curl -H "Authorization: Bearer ([\w.-]+)" (\S+)\n/.exec(lines.join('\n'));
  if (!match) throw new Error(`no curl line in the log:\n${lines.join('\n')}`);
  return { token: match[1]!, url: match[2]! };
}

describe.each(ADAPTERS)('RakomiLocalModule on %s', (adapter) => {
  let app: INestApplication;
  let logger: CapturingLogger;
  let url: string;

  beforeAll(async () => {
    ({ app, logger, url } = await listen(adapter, { audience: 'my-api', claims: { sub: 'usr_local' } }));
  });
  afterAll(() => app.close());

  it('logs a curl line, for the address the app listens on, whose token the protected route accepts', async () => {
    const { token, url: printed } = printedCurl(logger.entries.map((entry) => entry.message));
    expect(printed).toBe(`${url}/`);
    const response = await fetch(`${printed}me`, { headers: { Authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ sub: 'usr_local', aud: 'my-api' });
  });

  it('still guards the route: no token is 401, a token of another issuer is 401', async () => {
    expect((await fetch(`${url}/me`)).status).toBe(401);
    const stranger = await RakomiTestIssuer.start({ audience: 'my-api' });
    try {
      expect((await fetch(`${url}/me`, { headers: { Authorization: `Bearer ${stranger.token()}` } })).status).toBe(401);
    } finally {
      await stranger.close();
    }
  });

  it('makes the issuer injectable to mint more tokens, and RakomiModule global', async () => {
    const issuer = app.get(RakomiTestIssuer);
    const response = await fetch(`${url}/me`, { headers: { Authorization: `Bearer ${issuer.token({ sub: 'usr_2' })}` } });
    expect(await response.json()).toMatchObject({ sub: 'usr_2' });
    expect(app.get(TokenService)).toBeDefined();
  });
});

describe('RakomiLocalModule life cycle', () => {
  const savedEnv = process.env.NODE_ENV;
  afterEach(() => {
    process.env.NODE_ENV = savedEnv;
  });

  it('stops the local issuer with the app', async () => {
    const { app } = await listen('express', { audience: 'my-api' });
    const issuer = app.get(RakomiTestIssuer);
    expect((await fetch(issuer.jwksUrl)).status).toBe(200);
    await app.close();
    await expect(fetch(issuer.jwksUrl)).rejects.toThrow();
  });

  it('logs no token with printToken: false', async () => {
    const { app, logger } = await listen('express', { audience: 'my-api', printToken: false });
    await app.close();
    expect(logger.text).not.toContain('Bearer');
  });

  it('refuses to start with NODE_ENV=production, and says what to use instead', async () => {
    process.env.NODE_ENV = 'production';
    const compiling = Test.createTestingModule({ imports: [RakomiLocalModule.forRoot({ audience: 'my-api' })] }).compile();
    await expect(compiling).rejects.toThrow(/refuses to start with NODE_ENV=production.*RakomiModule\.forRoot/);
  });

  it('starts with NODE_ENV=production when allowInProduction is set', async () => {
    process.env.NODE_ENV = 'production';
    const moduleRef = await Test.createTestingModule({
      imports: [RakomiLocalModule.forRoot({ audience: 'my-api', allowInProduction: true })],
    }).compile();
    const issuer = moduleRef.get(RakomiTestIssuer);
    await expect(moduleRef.get(TokenService).verify(issuer.token())).resolves.toMatchObject({ aud: 'my-api' });
    await moduleRef.close();
  });
});
