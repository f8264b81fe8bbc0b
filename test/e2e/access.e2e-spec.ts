import { Controller, Get, Module, Param, Query, UseGuards, type DynamicModule } from '@nestjs/common';
import { APP_GUARD, RouterModule } from '@nestjs/core';
import request from 'supertest';
import {
  CurrentTenant,
  ERROR_CATALOG,
  Public,
  RakomiAuthGuard,
  RakomiError,
  RakomiModule,
  RequireClaims,
  TenantScoped,
  type RakomiErrorCode,
  type RakomiModuleForRootOptions,
} from '@rakomi/nestjs';
import { RakomiTestIssuer } from '@rakomi/nestjs/testing';
import { ADAPTERS, startApp, type AdapterName, type StartedApp } from '../support/app-harness.js';
import { rawRequest } from './fixtures/raw-http.js';
import '../support/custom-claims.js'; // roles, permissions, email_verified, plan

const TENANT = 'ten_456'; // the testing kit's default tenant_id
/** Handler runs by route name: a refused request must leave its counter untouched. */
const calls = new Map<string, number>();
const ran = (name: string): void => void calls.set(name, (calls.get(name) ?? 0) + 1);
const runs = (name: string): number => calls.get(name) ?? 0;

@TenantScoped({ param: 'tenantId' })
@Controller('tenants/:tenantId')
class TenantInvoicesController {
  @Get('invoices')
  invoices(@CurrentTenant() tenant: string, @Param('tenantId') named: string): { tenant: string; named: string } {
    ran('param');
    return { tenant, named };
  }

  @RequireClaims({ roles: 'admin' })
  @Get('admin')
  admin(): { ok: true } {
    ran('param-admin');
    return { ok: true };
  }
}

@Controller('scoped')
class HeaderAndQueryController {
  @TenantScoped({ header: 'X-Tenant-Id' })
  @Get('header')
  header(@CurrentTenant() tenant: string): { tenant: string } {
    ran('header');
    return { tenant };
  }

  @TenantScoped({ query: 'tenant' })
  @Get('query')
  query(@Query('tenant') tenant: string): { tenant: string } {
    ran('query');
    return { tenant };
  }
}

@RequireClaims({ email_verified: true })
@Controller('claims')
class ClaimsController {
  @Get('verified')
  verified(): { ok: true } {
    ran('verified');
    return { ok: true };
  }

  @RequireClaims({ roles: 'admin' })
  @Get('admin')
  admin(): { ok: true } {
    ran('admin');
    return { ok: true };
  }

  @RequireClaims({ permissions: ['invoices:read', 'invoices:write'] }, { plan: 'pro' })
  @Get('writer')
  writer(): { ok: true } {
    ran('writer');
    return { ok: true };
  }

  @RequireClaims((claims) => claims.roles?.includes('owner') === true || claims.sub === 'usr_root')
  @Get('predicate')
  predicate(): { ok: true } {
    ran('predicate');
    return { ok: true };
  }
}

/** Module-wide binding: every guarded route with a `:tenantId` param. */
@Controller()
class GlobalBindingController {
  @Get('orgs/:tenantId/users')
  users(@Param('tenantId') tenant: string): { tenant: string } {
    ran('global');
    return { tenant };
  }

  /** A route that deliberately addresses other tenants names its param differently. */
  @RequireClaims({ roles: 'support' })
  @Get('support/tenants/:targetTenantId')
  support(@Param('targetTenantId') tenant: string): { tenant: string } {
    ran('support');
    return { tenant };
  }

  @Public()
  @Get('public/:tenantId/logo')
  logo(): { logo: true } {
    ran('logo');
    return { logo: true };
  }
}

/** Per-route guard, no APP_GUARD. */
@UseGuards(RakomiAuthGuard)
@TenantScoped({ param: 'tenantId' })
@Controller('per-route/:tenantId')
class PerRouteController {
  @Get()
  get(): { ok: true } {
    ran('per-route');
    return { ok: true };
  }
}

function appModule(options: RakomiModuleForRootOptions, controllers: Function[], globalGuard = true): DynamicModule {
  @Module({})
  class AccessAppModule {}
  return {
    module: AccessAppModule,
    imports: [RakomiModule.forRoot(options)],
    controllers: controllers as never[],
    providers: globalGuard ? [{ provide: APP_GUARD, useClass: RakomiAuthGuard }] : [],
  };
}

let issuer: RakomiTestIssuer;
let own: string;

beforeAll(async () => {
  issuer = await RakomiTestIssuer.start();
  own = issuer.token();
});
afterAll(async () => {
  await issuer?.close();
});

const challenge = (code: RakomiErrorCode): string =>
  `Bearer realm="rakomi", error="insufficient_scope", error_description="${ERROR_CATALOG[code].message}"`;

/** 403 with the catalog body and the RFC 6750 §3.1 challenge, and the handler did not run. */
interface Answer {
  status: number;
  body: unknown;
  headers: Record<string, unknown>;
}

async function expectRefused(
  pending: PromiseLike<Answer>,
  code: 'access/tenant_mismatch' | 'access/insufficient_claims',
  handler: string,
): Promise<void> {
  const before = runs(handler);
  const res = await pending;
  expect(res.status).toBe(403);
  expect(res.body).toStrictEqual({ statusCode: 403, ...new RakomiError(code).toJSON() });
  expect(res.headers['www-authenticate']).toBe(challenge(code));
  expect(res.headers['cache-control']).toBe('no-store');
  expect(runs(handler)).toBe(before);
}

async function expectAllowed(pending: request.Test, handler: string): Promise<request.Response> {
  const before = runs(handler);
  const res = await pending;
  expect(res.status).toBe(200);
  expect(runs(handler)).toBe(before + 1);
  return res;
}

describe.each(ADAPTERS)('authorization on %s', (adapter: AdapterName) => {
  let started: StartedApp;
  const get = (path: string, token = own) => request(started.server).get(path).set('Authorization', `Bearer ${token}`);

  beforeAll(async () => {
    started = await startApp(
      adapter,
      appModule(issuer.moduleOptions(), [TenantInvoicesController, HeaderAndQueryController, ClaimsController]),
    );
  });
  afterAll(async () => {
    await started?.close();
  });

  describe('tenant binding', () => {
    it('same tenant in the route param → 200; @CurrentTenant() is the verified tenant_id', async () => {
      const res = await expectAllowed(get(`/tenants/${TENANT}/invoices`), 'param');
      expect(res.body).toStrictEqual({ tenant: TENANT, named: TENANT });
    });

    it('another tenant in the route param → 403 access/tenant_mismatch, the handler never runs', async () => {
      await expectRefused(get('/tenants/ten_999/invoices'), 'access/tenant_mismatch', 'param');
    });

    it('the refusal is the same whether the other tenant exists or not (nothing about it is looked up or echoed)', async () => {
      const a = await get('/tenants/ten_999/invoices');
      const b = await get('/tenants/no-such-tenant-ever/invoices');
      expect(a.text).toBe(b.text);
      expect(a.text).not.toContain('ten_999');
      expect(a.headers['www-authenticate']).toBe(b.headers['www-authenticate']);
    });

    it.each([
      ['different case', 'TEN_456'],
      ['a trailing space, encoded', 'ten_456%20'],
      ['a leading space, encoded', '%20ten_456'],
      ['a tab, encoded', 'ten_456%09'],
      ['an encoded upper-case letter (%45 = E)', 'T%45N_456'],
      ['double encoding (%2574 decodes once to %74)', '%2574en_456'],
      ['a NUL byte', 'ten_456%00'],
      ['a look-alike (Cyrillic е)', 't%D0%B5n_456'],
      ['a prefix', 'ten_45'],
      ['an extension', 'ten_4567'],
    ])('a route param with %s (%s) never matches', async (_name, variant) => {
      await expectRefused(get(`/tenants/${variant}/invoices`), 'access/tenant_mismatch', 'param');
    });

    it('the comparison is on the decoded value the handler sees: %74en_456 is ten_456 itself → 200', async () => {
      const res = await expectAllowed(get('/tenants/%74en_456/invoices'), 'param');
      expect(res.body).toStrictEqual({ tenant: TENANT, named: TENANT });
    });

    it('header binding: same tenant → 200 (header names are case-insensitive)', async () => {
      await expectAllowed(get('/scoped/header').set('x-tenant-id', TENANT), 'header');
      await expectAllowed(get('/scoped/header').set('X-TENANT-ID', TENANT), 'header');
    });

    it.each([
      ['another tenant', 'ten_999'],
      ['different case', 'TEN_456'],
      ['a value list', `${TENANT}, ${TENANT}`],
      ['trailing garbage', `${TENANT};`],
      ['no header', undefined],
    ])('header binding: %s → 403', async (_name, value) => {
      const pending = get('/scoped/header');
      await expectRefused(value === undefined ? pending : pending.set('x-tenant-id', value), 'access/tenant_mismatch', 'header');
    });

    it.each([
      ['same value', [TENANT, TENANT]],
      ['own tenant second', ['ten_999', TENANT]],
      ['own tenant first', [TENANT, 'ten_999']],
    ])('header binding: the header twice (%s) never matches, neither "first wins" nor "last wins"', async (_name, values) => {
      const sent = rawRequest(started.port, {
        path: '/scoped/header',
        headers: { authorization: `Bearer ${own}`, 'x-tenant-id': values },
      });
      await expectRefused(sent, 'access/tenant_mismatch', 'header');
    });

    it('query binding: same tenant → 200, decoded as the handler sees it', async () => {
      await expectAllowed(get(`/scoped/query?tenant=${TENANT}`), 'query');
      await expectAllowed(get('/scoped/query?tenant=%74en_456'), 'query');
    });

    it.each([
      ['another tenant', '?tenant=ten_999'],
      ['different case', '?tenant=TEN_456'],
      ['a trailing space', '?tenant=ten_456%20'],
      ['a plus (space)', '?tenant=ten_456+'],
      ['duplicated, same value', `?tenant=${TENANT}&tenant=${TENANT}`],
      ['duplicated, own tenant second', `?tenant=ten_999&tenant=${TENANT}`],
      ['an array', `?tenant[]=${TENANT}`],
      ['an object', `?tenant[id]=${TENANT}`],
      ['no parameter', ''],
      ['an empty value', '?tenant='],
      ['a prototype key', `?__proto__=${TENANT}`],
    ])('query binding: %s → 403', async (_name, query) => {
      await expectRefused(get(`/scoped/query${query}`), 'access/tenant_mismatch', 'query');
    });

    it('authentication comes first: no token or a bad token → 401, never 403', async () => {
      const before = runs('param');
      const missing = await request(started.server).get('/tenants/ten_999/invoices');
      expect(missing.status).toBe(401);
      expect(missing.body.code).toBe('token/missing');
      expect(missing.headers['www-authenticate']).toBe('Bearer realm="rakomi"');
      for (const kind of ['expired', 'bad_signature', 'wrong_audience'] as const) {
        const res = await get('/tenants/ten_999/invoices', issuer.badToken(kind));
        expect(res.status).toBe(401);
        expect(res.headers['www-authenticate']).toContain('error="invalid_token"');
      }
      const header = await get('/scoped/header', issuer.badToken('expired')).set('x-tenant-id', 'ten_999');
      expect(header.status).toBe(401);
      expect(runs('param')).toBe(before);
    });

    it('tenant before claims: another tenant without the role → tenant_mismatch; own tenant without it → insufficient_claims', async () => {
      await expectRefused(get('/tenants/ten_999/admin'), 'access/tenant_mismatch', 'param-admin');
      await expectRefused(get(`/tenants/${TENANT}/admin`), 'access/insufficient_claims', 'param-admin');
      await expectAllowed(get(`/tenants/${TENANT}/admin`, issuer.token({ roles: ['admin'] })), 'param-admin');
    });
  });

  describe('claim requirements', () => {
    const verified = { email_verified: true };

    it('boolean claim: email_verified true → 200; false, "true", 1 or absent → 403', async () => {
      await expectAllowed(get('/claims/verified', issuer.token(verified)), 'verified');
      for (const value of [false, 'true', 1, null]) {
        await expectRefused(get('/claims/verified', issuer.token({ email_verified: value })), 'access/insufficient_claims', 'verified');
      }
      await expectRefused(get('/claims/verified'), 'access/insufficient_claims', 'verified');
    });

    it('array claim inclusion: roles containing admin (or exactly "admin") → 200; other roles, case variants, nesting → 403', async () => {
      await expectAllowed(get('/claims/admin', issuer.token({ ...verified, roles: ['user', 'admin'] })), 'admin');
      await expectAllowed(get('/claims/admin', issuer.token({ ...verified, roles: 'admin' })), 'admin'); // exact string equality
      for (const roles of [['user'], ['Admin'], ['admin '], [], { admin: true }, 'administrator', [['admin']]]) {
        await expectRefused(get('/claims/admin', issuer.token({ ...verified, roles })), 'access/insufficient_claims', 'admin');
      }
    });

    it('controller and handler requirements compose: the role without email_verified → 403', async () => {
      await expectRefused(get('/claims/admin', issuer.token({ roles: ['admin'] })), 'access/insufficient_claims', 'admin');
      await expectRefused(
        get('/claims/admin', issuer.token({ roles: ['admin'], email_verified: false })),
        'access/insufficient_claims',
        'admin',
      );
    });

    it('several requirements AND: every permission listed and the string claim plan must match', async () => {
      const writer = { ...verified, permissions: ['invoices:write', 'invoices:read', 'x'], plan: 'pro' };
      await expectAllowed(get('/claims/writer', issuer.token(writer)), 'writer');
      for (const bad of [
        { ...writer, permissions: ['invoices:read'] },
        { ...writer, plan: 'free' },
        { ...writer, plan: 'PRO' },
        { ...writer, permissions: 'invoices:read invoices:write' },
      ]) {
        await expectRefused(get('/claims/writer', issuer.token(bad)), 'access/insufficient_claims', 'writer');
      }
    });

    it('predicate form: must return exactly true', async () => {
      await expectAllowed(get('/claims/predicate', issuer.token({ ...verified, roles: ['owner'] })), 'predicate');
      await expectAllowed(get('/claims/predicate', issuer.token({ ...verified, sub: 'usr_root' })), 'predicate');
      await expectRefused(
        get('/claims/predicate', issuer.token({ ...verified, roles: ['admin'] })),
        'access/insufficient_claims',
        'predicate',
      );
    });

    it('claim requirements are checked only after authentication: a bad token → 401', async () => {
      const res = await get('/claims/admin', issuer.badToken('bad_signature'));
      expect(res.status).toBe(401);
    });
  });
});

describe.each(ADAPTERS)('module-wide tenantParam on %s', (adapter: AdapterName) => {
  let started: StartedApp;
  const get = (path: string, token = own) => request(started.server).get(path).set('Authorization', `Bearer ${token}`);

  beforeAll(async () => {
    started = await startApp(adapter, appModule({ ...issuer.moduleOptions(), tenantParam: 'tenantId' }, [GlobalBindingController]));
  });
  afterAll(async () => {
    await started?.close();
  });

  it('binds every guarded route with :tenantId', async () => {
    await expectAllowed(get(`/orgs/${TENANT}/users`), 'global');
    await expectRefused(get('/orgs/ten_999/users'), 'access/tenant_mismatch', 'global');
    await expectRefused(get('/orgs/TEN_456/users'), 'access/tenant_mismatch', 'global');
    await expectRefused(get('/orgs/ten_456%20/users'), 'access/tenant_mismatch', 'global');
  });

  it('leaves routes with a differently named param to their own requirements', async () => {
    await expectAllowed(get('/support/tenants/ten_999', issuer.token({ roles: ['support'] })), 'support');
    await expectRefused(get('/support/tenants/ten_999'), 'access/insufficient_claims', 'support');
  });

  it('does not apply to @Public() routes (no token there)', async () => {
    const res = await request(started.server).get('/public/ten_999/logo');
    expect(res.status).toBe(200);
  });
});

describe('module-wide tenantParam with forRootAsync', () => {
  it('is taken from the async module options too', async () => {
    @Module({})
    class AsyncAppModule {}
    const started = await startApp('express', {
      module: AsyncAppModule,
      imports: [RakomiModule.forRootAsync({ useFactory: () => issuer.moduleOptions(), tenantParam: 'tenantId' })],
      controllers: [GlobalBindingController],
      providers: [{ provide: APP_GUARD, useClass: RakomiAuthGuard }],
    });
    try {
      const get = (path: string) => request(started.server).get(path).set('Authorization', `Bearer ${own}`);
      await expectAllowed(get(`/orgs/${TENANT}/users`), 'global');
      await expectRefused(get('/orgs/ten_999/users'), 'access/tenant_mismatch', 'global');
    } finally {
      await started.close();
    }
  });
});

describe('a param given by RouterModule', () => {
  @TenantScoped({ param: 'tenantId' })
  @Controller('reports')
  class NestedReportsController {
    @Get()
    reports(@CurrentTenant() tenant: string): { tenant: string } {
      ran('router-module');
      return { tenant };
    }
  }

  it('counts as a param of the route at start-up, and is bound per request', async () => {
    @Module({ controllers: [NestedReportsController] })
    class TenantFeatureModule {}
    @Module({})
    class RouterAppModule {}
    const started = await startApp('express', {
      module: RouterAppModule,
      imports: [
        RakomiModule.forRoot(issuer.moduleOptions()),
        TenantFeatureModule,
        RouterModule.register([{ path: 'tenants/:tenantId', module: TenantFeatureModule }]),
      ],
      providers: [{ provide: APP_GUARD, useClass: RakomiAuthGuard }],
    });
    try {
      const get = (path: string) => request(started.server).get(path).set('Authorization', `Bearer ${own}`);
      await expectAllowed(get(`/tenants/${TENANT}/reports`), 'router-module');
      await expectRefused(get('/tenants/ten_999/reports'), 'access/tenant_mismatch', 'router-module');
    } finally {
      await started.close();
    }
  });
});

describe.each(ADAPTERS)('per-route guard on %s', (adapter: AdapterName) => {
  let started: StartedApp;

  beforeAll(async () => {
    started = await startApp(adapter, appModule(issuer.moduleOptions(), [PerRouteController], false));
  });
  afterAll(async () => {
    await started?.close();
  });

  it('@UseGuards(RakomiAuthGuard) applies the binding too', async () => {
    const get = (path: string) => request(started.server).get(path).set('Authorization', `Bearer ${own}`);
    await expectAllowed(get(`/per-route/${TENANT}`), 'per-route');
    await expectRefused(get('/per-route/ten_999'), 'access/tenant_mismatch', 'per-route');
  });
});

describe('misuse fails at start-up', () => {
  @TenantScoped({ param: 'tenantId' })
  @Controller('tenants/:id')
  class WrongParamController {
    @Get('invoices')
    invoices(): void {}
  }

  @Controller('reports')
  class WrongHandlerParamController {
    @TenantScoped({ param: 'tenantId' })
    @Get(':tenant')
    report(): void {}
  }

  @Public()
  @Controller('open/:tenantId')
  class PublicScopedController {
    @RequireClaims({ roles: 'admin' })
    @Get()
    get(): void {}
  }

  @Controller('plain/:id')
  class PlainController {
    @Get()
    get(): void {}
  }

  async function bootError(options: RakomiModuleForRootOptions, controllers: Function[]): Promise<RakomiError> {
    const error: unknown = await startApp('express', appModule(options, controllers)).then(
      async (started) => {
        await started.close();
        throw new Error('the application started');
      },
      (failure: unknown) => failure,
    );
    expect(error).toBeInstanceOf(RakomiError);
    return error as RakomiError;
  }

  it('@TenantScoped({ param }) on a controller whose path lacks the param names the route and the param', async () => {
    const error = await bootError(issuer.moduleOptions(), [WrongParamController]);
    expect(error.code).toBe('config/invalid_option');
    expect(error.message).toContain("@TenantScoped({ param: 'tenantId' }) on WrongParamController.invoices");
    expect(error.message).toContain('has no :tenantId');
  });

  it('…and on a handler', async () => {
    const error = await bootError(issuer.moduleOptions(), [WrongHandlerParamController]);
    expect(error.message).toContain('WrongHandlerParamController.report');
  });

  it('@RequireClaims() on a @Public() route', async () => {
    const error = await bootError(issuer.moduleOptions(), [PublicScopedController]);
    expect(error.message).toContain('PublicScopedController.get, which is @Public() or @RakomiWebhook()');
  });

  it('a tenantParam no route has (a typo would otherwise bind nothing)', async () => {
    const error = await bootError({ ...issuer.moduleOptions(), tenantParam: 'tenantID' }, [PlainController]);
    expect(error.message).toContain("tenantParam 'tenantID' matches no route param");
  });

  it('a tenantParam that is not a route-param name', async () => {
    const error = await bootError({ ...issuer.moduleOptions(), tenantParam: 'tenant-id' }, [PlainController]);
    expect(error.message).toBe('Invalid SDK option: tenantParam');
  });
});
