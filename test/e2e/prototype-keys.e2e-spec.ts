// Issue 10 item 5: "__proto__" and "constructor.prototype" members of a signed token or webhook
// payload are removed (secure-json-parse, protoAction/constructorAction 'remove'), so app code
// that copies them ({ ...user }, Object.assign) cannot have its prototype set.
import { Controller, Get, HttpCode, Module, Post, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import {
  CurrentUser,
  RakomiAuthGuard,
  RakomiModule,
  RakomiWebhook,
  WebhookEvent,
  type RakomiClaims,
  type RakomiModuleOptions,
  type RakomiWebhookEvent,
} from '@rakomi/nestjs';
import { RakomiTestIssuer } from '@rakomi/nestjs/testing';
import request from 'supertest';
import { ADAPTERS, startApp, type StartedApp } from '../support/app-harness.js';

/** What app code typically does with the verified object: copy it, then read a flag. */
function copyLooksAdmin(value: object): { spreadAdmin: unknown; assignAdmin: unknown; ownKeys: string[] } {
  const spread = { ...value } as Record<string, unknown>;
  const assigned = Object.assign({}, value) as Record<string, unknown>;
  const deepKeys: string[] = [];
  const walk = (node: unknown): void => {
    if (typeof node !== 'object' || node === null) return;
    for (const key of Object.keys(node)) {
      deepKeys.push(key);
      walk((node as Record<string, unknown>)[key]);
    }
  };
  walk(value);
  return { spreadAdmin: spread.isAdmin, assignAdmin: assigned.isAdmin, ownKeys: deepKeys };
}

@Controller()
class ProtoController {
  @Get('me') me(@CurrentUser() user: RakomiClaims) {
    return copyLooksAdmin(user);
  }

  @RakomiWebhook()
  @Post('hooks')
  @HttpCode(200)
  hook(@WebhookEvent() event: RakomiWebhookEvent<object>) {
    return copyLooksAdmin(event.payload);
  }
}

@Module({})
class ProtoModule {
  static with(options: RakomiModuleOptions): DynamicModule {
    return {
      module: ProtoModule,
      imports: [RakomiModule.forRoot(options)],
      controllers: [ProtoController],
      providers: [{ provide: APP_GUARD, useClass: RakomiAuthGuard }],
    };
  }
}

const POISON = [
  ['"__proto__"', '{"__proto__":{"isAdmin":true}}'],
  ['an escaped "\\u005f_proto__"', '{"\\u005f_proto__":{"isAdmin":true}}'],
  ['"constructor":{"prototype"}', '{"constructor":{"prototype":{"isAdmin":true}}}'],
  ['a nested "__proto__"', '{"data":{"items":[{"__proto__":{"isAdmin":true}}]}}'],
] as const;

let issuer: RakomiTestIssuer;
beforeAll(async () => {
  issuer = await RakomiTestIssuer.start();
});
afterAll(async () => {
  await issuer.close();
});

describe.each(ADAPTERS)('prototype members are stripped on %s', (adapter) => {
  let started: StartedApp;
  beforeAll(async () => {
    started = await startApp(adapter, ProtoModule.with(issuer.moduleOptions()));
  });
  afterAll(async () => {
    await started.close();
  });

  it.each(POISON)('token claims with %s: verified, member removed, copies stay plain', async (_name, json) => {
    const claims = JSON.stringify(issuer.claims());
    // The poison both at the top level and nested under "x".
    const top = `${json.slice(0, -1)},${claims.slice(1)}`;
    const nested = `${claims.slice(0, -1)},"x":${json}}`;
    for (const text of [top, nested]) {
      const token = issuer.signJws({ alg: 'RS256', typ: 'JWT', kid: issuer.currentKey.kid }, text);
      const res = await request(started.server).get('/me').set('Authorization', `Bearer ${token}`).expect(200);
      expect(res.body.spreadAdmin).toBeUndefined();
      expect(res.body.assignAdmin).toBeUndefined();
      expect(res.body.ownKeys).not.toContain('__proto__');
      expect(res.body.ownKeys).not.toContain('constructor');
    }
  });

  it.each(POISON)('webhook payload with %s: delivered with the member removed (Fastify refuses it first)', async (_name, json) => {
    const { body, headers } = issuer.signWebhook(json);
    const res = await request(started.server)
      .post('/hooks')
      .set(headers)
      .set('Content-Type', 'application/json')
      .send(body as string);
    if (adapter === 'fastify') {
      // Fastify's own JSON parser (secure-json-parse, onProtoPoisoning / onConstructorPoisoning
      // 'error' by default) answers 400 before any route code runs: the handler never sees it.
      expect(res.status).toBe(400);
      return;
    }
    expect(res.status).toBe(200);
    expect(res.body.spreadAdmin).toBeUndefined();
    expect(res.body.assignAdmin).toBeUndefined();
    expect(res.body.ownKeys).not.toContain('__proto__');
    expect(res.body.ownKeys).not.toContain('constructor');
  });

  it('a plain "constructor" string claim is kept (only constructor.prototype objects are removed)', async () => {
    const token = issuer.token({ constructor: 'Acme' });
    const res = await request(started.server).get('/me').set('Authorization', `Bearer ${token}`).expect(200);
    expect(res.body.ownKeys).toContain('constructor');
  });
});
