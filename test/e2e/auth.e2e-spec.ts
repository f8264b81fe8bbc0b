import { Controller, Get, Module, Req, UseGuards, type DynamicModule } from '@nestjs/common';
import { APP_GUARD, Reflector } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import request from 'supertest';
import {
  CurrentUser,
  ERROR_CATALOG,
  Public,
  RakomiAuthGuard,
  RakomiError,
  RakomiModule,
  TokenService,
  type RakomiClaims,
  type RakomiErrorCode,
  type RakomiModuleOptions,
  type RakomiRequest,
} from '@rakomi/nestjs';
import { RakomiTestIssuer } from '@rakomi/nestjs/testing';
import { ADAPTERS, startApp, type StartedApp } from '../support/app-harness.js';
import { BAD_TOKEN_CODES } from '../support/bad-token-codes.js';
import { expectNoLeak, tokenParts } from './fixtures/leak.js';
import { rawRequest } from './fixtures/raw-http.js';

@Controller()
class ProfileController {
  @Get('me')
  me(@CurrentUser() user: RakomiClaims): RakomiClaims {
    return user;
  }

  @Get('email')
  email(@CurrentUser('email') email: string): { email: string } {
    return { email };
  }

  @Get('req-user')
  reqUser(@Req() req: RakomiRequest<object>): { sub: string; tenant: string } {
    return { sub: req.user.sub, tenant: req.user.tenant_id };
  }

  @Public()
  @Get('health')
  health(): { ok: true } {
    return { ok: true };
  }

  @Public()
  @Get('public-user')
  publicUser(@CurrentUser() user: RakomiClaims): RakomiClaims {
    return user;
  }
}

@Public()
@Controller('open')
class OpenController {
  @Get()
  open(): { open: true } {
    return { open: true };
  }
}

/** No global guard here: the guard is applied per route / per controller. */
@Controller('per-route')
class PerRouteController {
  @UseGuards(RakomiAuthGuard)
  @Get('guarded')
  guarded(@CurrentUser('sub') sub: string): { sub: string } {
    return { sub };
  }

  @Get('unguarded')
  unguarded(@CurrentUser() user: RakomiClaims): RakomiClaims {
    return user;
  }

  @Get('anonymous')
  anonymous(): { anonymous: true } {
    return { anonymous: true };
  }
}

@UseGuards(RakomiAuthGuard)
@Controller('guarded-controller')
class GuardedController {
  @Get()
  get(@CurrentUser('email') email: string): { email: string } {
    return { email };
  }

  @Public()
  @Get('public')
  open(): { open: true } {
    return { open: true };
  }
}

@Module({})
class GlobalGuardAppModule {
  static with(options: RakomiModuleOptions): DynamicModule {
    return {
      module: GlobalGuardAppModule,
      imports: [RakomiModule.forRoot(options)],
      controllers: [ProfileController, OpenController],
      providers: [{ provide: APP_GUARD, useClass: RakomiAuthGuard }],
    };
  }
}

@Module({})
class PerRouteAppModule {
  static with(options: RakomiModuleOptions): DynamicModule {
    return {
      module: PerRouteAppModule,
      imports: [RakomiModule.forRoot(options)],
      controllers: [PerRouteController, GuardedController],
    };
  }
}

const challengeIT = (code: RakomiErrorCode): string =>
  `Bearer realm="rakomi", error="invalid_token", error_description="${ERROR_CATALOG[code].message}"`;
const NOERR = 'Bearer realm="rakomi"';

let issuer: RakomiTestIssuer;
let good: string;
let secrets: string[];

beforeAll(async () => {
  issuer = await RakomiTestIssuer.start();
  good = issuer.token();
  const claims = issuer.claims();
  secrets = [
    ...tokenParts(good),
    String(claims.sub),
    String(claims.tenant_id),
    String(claims.email),
    String(claims.sid),
    new URL(issuer.url).host,
    'akm_test_local',
    issuer.webhookSecret,
  ];
});
afterAll(async () => {
  await issuer?.close();
});

function expectCatalogError(
  res: { status: number; body: unknown; headers: Record<string, unknown>; text: string },
  code: RakomiErrorCode,
  status = ERROR_CATALOG[code].status,
): void {
  expect(res.status).toBe(status);
  expect(res.body).toStrictEqual({ statusCode: status, ...new RakomiError(code).toJSON() });
  expect(res.headers['cache-control']).toBe('no-store');
  expectNoLeak(res, secrets);
}

describe.each(ADAPTERS)('RakomiAuthGuard as APP_GUARD on %s', (adapter) => {
  let started: StartedApp;
  const get = (path: string) => request(started.server).get(path);

  beforeAll(async () => {
    started = await startApp(adapter, GlobalGuardAppModule.with(issuer.moduleOptions({ jwks: { preload: false } })));
  });
  afterAll(async () => {
    await started?.close();
  });

  it('T-00: a valid token → 200, the verified claims on @CurrentUser(); one JWKS fetch cold, none warm', async () => {
    issuer.resetHits();
    const token = issuer.token({ role: 'admin' });
    const res = await get('/me').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(200);
    const expected = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'));
    expect(res.body).toStrictEqual(expected);
    expect(issuer.hits).toBe(1);

    for (let i = 0; i < 3; i++) expect((await get('/me').set('Authorization', `Bearer ${good}`)).status).toBe(200);
    expect(issuer.hits).toBe(1);
  });

  it("@CurrentUser('email') injects one claim; request.user carries the claims", async () => {
    const email = await get('/email').set('Authorization', `Bearer ${good}`);
    expect(email.status).toBe(200);
    expect(email.body).toStrictEqual({ email: 'alice@example.com' });

    const user = await get('/req-user').set('Authorization', `Bearer ${good}`);
    expect(user.body).toStrictEqual({ sub: 'usr_123', tenant: 'ten_456' });
  });

  it('@Public() on a handler and on a controller opts out of the global guard', async () => {
    expect((await get('/health')).body).toStrictEqual({ ok: true });
    expect((await get('/open')).body).toStrictEqual({ open: true });
  });

  it('@CurrentUser() on a @Public() route fails loudly (500, a log naming the fix), never undefined', async () => {
    started.logs.clear();
    const res = await get('/public-user').set('Authorization', `Bearer ${good}`);
    expect(res.status).toBe(500);
    expect(res.text).not.toContain('usr_123');
    const log = started.logs.text;
    expect(log).toContain('@CurrentUser() on ProfileController.publicUser');
    expect(log).toContain('@UseGuards(RakomiAuthGuard)');
    expect(log).toContain('APP_GUARD');
  });

  it('T-01: no Authorization header → 401 token/missing, bare challenge, no JWKS fetch', async () => {
    issuer.resetHits();
    const res = await get('/me');
    expectCatalogError(res, 'token/missing');
    expect(res.headers['www-authenticate']).toBe(NOERR);
    expect(issuer.hits).toBe(0);
  });

  it.each([
    ['T-02 empty value', ''],
    ['T-03 scheme only', 'Bearer'],
    ['T-03 scheme and spaces', 'Bearer    '],
    ['T-04 Basic', 'Basic dXNlcjpwYXNz'],
  ])('%s → 401 token/missing', async (_case, value) => {
    const res = await rawRequest(started.port, { path: '/me', headers: { authorization: value } });
    expectCatalogError(res as never, 'token/missing');
    expect(res.headers['www-authenticate']).toBe(NOERR);
  });

  it.each([
    ['Token', (t: string) => `Token ${t}`],
    ['JWT', (t: string) => `JWT ${t}`],
    ['Bearer:', (t: string) => `Bearer:${t}`],
    ['no scheme', (t: string) => t],
  ])('T-05 %s <token> → 401 token/missing', async (_case, build) => {
    const res = await get('/me').set('Authorization', build(good));
    expectCatalogError(res, 'token/missing');
    expect(res.headers['www-authenticate']).toBe(NOERR);
  });

  it.each([
    ['T-06 lower-case scheme', (t: string) => `bearer ${t}`],
    ['T-06 upper-case scheme', (t: string) => `BEARER ${t}`],
    ['T-07 two spaces', (t: string) => `Bearer  ${t}`],
    ['T-07 tab', (t: string) => `Bearer\t${t}`],
    ['T-07 trailing spaces', (t: string) => `Bearer ${t}   `],
  ])('%s → 200', async (_case, build) => {
    const res = await rawRequest(started.port, { path: '/email', headers: { authorization: build(good) } });
    expect(res.status).toBe(200);
    expect(res.body).toStrictEqual({ email: 'alice@example.com' });
  });

  it('T-08: two Authorization headers → 400 token/malformed with error="invalid_request", never "first wins"', async () => {
    for (const pair of [
      [`Bearer ${good}`, `Bearer ${good}`],
      [`Bearer ${good}`, 'Bearer x.y.z'],
      ['Basic dXNlcjpwYXNz', `Bearer ${good}`],
    ]) {
      const res = await rawRequest(started.port, { path: '/me', headers: { authorization: pair } });
      expectCatalogError(res as never, 'token/malformed', 400);
      expect(res.headers['www-authenticate']).toBe(
        `Bearer realm="rakomi", error="invalid_request", error_description="${ERROR_CATALOG['token/malformed'].message}"`,
      );
    }
  });

  it('T-09: a token in the query string is ignored (401 token/missing) and not logged', async () => {
    started.logs.clear();
    const res = await get(`/me?access_token=${good}`);
    expectCatalogError(res, 'token/missing');
    expect(started.logs.text).not.toContain(good.split('.')[2]!);
  });

  it('T-10: an oversized credential → 401 token/malformed without any JWKS fetch', async () => {
    issuer.resetHits();
    const res = await get('/me').set('Authorization', `Bearer ${'a'.repeat(9_000)}`);
    expectCatalogError(res, 'token/malformed');
    expect(res.headers['www-authenticate']).toBe(challengeIT('token/malformed'));
    expect(issuer.hits).toBe(0);
  });

  it.each(BAD_TOKEN_CODES)('a %s token → 401 %s with the invalid_token challenge, nothing leaked', async (kind, code) => {
    const token = issuer.badToken(kind);
    const res = await get('/me').set('Authorization', `Bearer ${token}`);
    expectCatalogError(res, code);
    expect(res.headers['www-authenticate']).toBe(challengeIT(code));
    expectNoLeak(res, tokenParts(token));
  });

  it('fails closed in a context type it does not know, with a clear error', async () => {
    const guard = new RakomiAuthGuard(started.app.get(TokenService), started.app.get(Reflector));
    const context = new ExecutionContextHost([{}, {}], ProfileController, ProfileController.prototype.me);
    context.setType('custom-transport');
    expect(() => guard.canActivate(context)).toThrow('RakomiAuthGuard does not know the "custom-transport" context type');
    // @Public() still opts out whatever the transport.
    const open = new ExecutionContextHost([{}, {}], ProfileController, ProfileController.prototype.health);
    open.setType('rpc');
    expect(guard.canActivate(open)).toBe(true);
  });
});

describe.each(ADAPTERS)('RakomiAuthGuard per route on %s', (adapter) => {
  let started: StartedApp;
  const get = (path: string) => request(started.server).get(path);

  beforeAll(async () => {
    started = await startApp(adapter, PerRouteAppModule.with(issuer.moduleOptions()));
  });
  afterAll(async () => {
    await started?.close();
  });

  it('@UseGuards(RakomiAuthGuard) on a handler protects it; other routes stay open', async () => {
    expectCatalogError(await get('/per-route/guarded'), 'token/missing');
    const ok = await get('/per-route/guarded').set('Authorization', `Bearer ${good}`);
    expect(ok.status).toBe(200);
    expect(ok.body).toStrictEqual({ sub: 'usr_123' });
    expect((await get('/per-route/anonymous')).body).toStrictEqual({ anonymous: true });
  });

  it('@UseGuards(RakomiAuthGuard) on a controller protects every route except @Public() ones', async () => {
    expectCatalogError(await get('/guarded-controller'), 'token/missing');
    expect((await get('/guarded-controller').set('Authorization', `Bearer ${good}`)).body).toStrictEqual({
      email: 'alice@example.com',
    });
    expect((await get('/guarded-controller/public')).body).toStrictEqual({ open: true });
  });

  it('@CurrentUser() on a route no guard protected → loud 500 and a log naming the fix', async () => {
    started.logs.clear();
    const res = await get('/per-route/unguarded').set('Authorization', `Bearer ${good}`);
    expect(res.status).toBe(500);
    expect(res.body).toStrictEqual({ statusCode: 500, message: 'Internal server error' });
    const log = started.logs.text;
    expect(log).toContain('@CurrentUser() on PerRouteController.unguarded found no verified Rakomi claims');
    expect(log).toContain('@UseGuards(RakomiAuthGuard)');
  });
});

describe.each(ADAPTERS)('JWKS unreachable on a cold cache, %s', (adapter) => {
  let started: StartedApp;

  beforeAll(async () => {
    started = await startApp(adapter, GlobalGuardAppModule.with(issuer.moduleOptions({ jwks: { preload: false } })));
  });
  afterAll(async () => {
    issuer.fault(undefined);
    await started?.close();
  });

  it('→ 503 jwks/fetch_failed with Retry-After and no upstream detail; logged', async () => {
    issuer.fault({ status: 500, body: 'password=hunter2 internal stack' });
    started.logs.clear();
    const res = await request(started.server).get('/me').set('Authorization', `Bearer ${good}`);
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ statusCode: 503, code: 'jwks/fetch_failed', message: 'Failed to fetch JWKS' });
    expect(Object.keys(res.body).sort()).toEqual(['code', 'docs_url', 'fix_command', 'message', 'statusCode', 'suggestion']);
    expect(res.headers['retry-after']).toMatch(/^[1-9][0-9]*$/);
    expect(res.headers['www-authenticate']).toBeUndefined();
    expect(res.headers['cache-control']).toBe('no-store');
    // The fix command names the configured JWKS URL (a documented exception to the host:port rule).
    expect(res.body.fix_command).toBe(`curl ${issuer.jwksUrl}`);
    expectNoLeak({ text: res.text.replace(res.body.fix_command, ''), headers: res.headers }, secrets);
    expect(started.logs.text).toContain('jwks/fetch_failed');
  });
});
