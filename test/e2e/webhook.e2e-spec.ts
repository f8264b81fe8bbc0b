import { gzipSync } from 'node:zlib';
import {
  Controller,
  HttpCode,
  Injectable,
  Module,
  Post,
  RequestMethod,
  Res,
  type DynamicModule,
  type INestApplication,
} from '@nestjs/common';
import { APP_GUARD, HttpAdapterHost } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import {
  RakomiAuthGuard,
  RakomiError,
  RakomiModule,
  RakomiWebhook,
  WEBHOOK_REPLAY_ACK,
  WebhookEvent,
  type RakomiErrorCode,
  type RakomiModuleOptions,
  type RakomiWebhookEvent,
} from '@rakomi/nestjs';
import { RakomiTestIssuer } from '@rakomi/nestjs/testing';
import { ADAPTERS, startApp, type StartedApp } from '../support/app-harness.js';
import { expectNoLeak } from './fixtures/leak.js';
import { rawRequest } from './fixtures/raw-http.js';
import { nestMajor } from '../support/nest-major.js';

/** What the handlers saw: proves whether (and how often) a handler ran. */
@Injectable()
class DeliveryLog {
  readonly events: { route: string; event: RakomiWebhookEvent }[] = [];
  count(deliveryId: string): number {
    return this.events.filter(({ event }) => event.deliveryId === deliveryId).length;
  }
}

@Controller('hooks')
class WebhookController {
  constructor(
    private readonly log: DeliveryLog,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  @RakomiWebhook()
  @Post('accepted')
  @HttpCode(202)
  accepted(@WebhookEvent() event: RakomiWebhookEvent<{ type: string }>): { handled: string } {
    this.log.events.push({ route: 'accepted', event });
    return { handled: event.deliveryId };
  }

  /** No @HttpCode: Nest's default 201 for POST applies to first deliveries. */
  @RakomiWebhook()
  @Post('default')
  byDefault(@WebhookEvent('payload') payload: { type: string }, @WebhookEvent() event: RakomiWebhookEvent): { type: string } {
    this.log.events.push({ route: 'default', event });
    return { type: payload.type };
  }

  /** Sends the response itself (@Res()): the replay acknowledgement must still go out. */
  @RakomiWebhook()
  @Post('manual')
  manual(@WebhookEvent() event: RakomiWebhookEvent, @Res() res: unknown): void {
    this.log.events.push({ route: 'manual', event });
    this.adapterHost.httpAdapter.reply(res, { manual: true }, 204);
  }
}

@RakomiWebhook()
@Controller('class-hooks')
class ClassLevelWebhookController {
  constructor(private readonly log: DeliveryLog) {}

  @Post()
  @HttpCode(200)
  receive(@WebhookEvent() event: RakomiWebhookEvent): { ok: true } {
    this.log.events.push({ route: 'class', event });
    return { ok: true };
  }
}

@Module({})
class WebhookAppModule {
  static with(options: RakomiModuleOptions): DynamicModule {
    return {
      module: WebhookAppModule,
      imports: [RakomiModule.forRoot(options)],
      controllers: [WebhookController, ClassLevelWebhookController],
      // A global bearer guard: webhook routes must never be asked for a token.
      providers: [DeliveryLog, { provide: APP_GUARD, useClass: RakomiAuthGuard }],
    };
  }
}

const MAX_BYTES = 4096;
let issuer: RakomiTestIssuer;
let secrets: string[];

beforeAll(async () => {
  issuer = await RakomiTestIssuer.start();
  secrets = [issuer.webhookSecret, issuer.webhookSecret.slice('whsec_'.length), 'akm_test_local', new URL(issuer.url).host];
});
afterAll(async () => {
  await issuer?.close();
});

/** A signed delivery: the exact string, its headers, and the leak canaries of this delivery. */
function delivery(payload: object | string = { type: 'user.created', data: { id: 'usr_1' } }, options = {}) {
  const signed = issuer.signWebhook(typeof payload === 'string' ? payload : JSON.stringify(payload), options);
  // Lower-cased names, so tests can pick and replace single headers.
  const headers = Object.fromEntries(Object.entries(signed.headers).map(([name, value]) => [name.toLowerCase(), value]));
  return { body: signed.body as string, headers, deliveryId: headers['x-rakomi-delivery-id']! };
}

function post(started: StartedApp, path: string, body: string | Buffer, headers: Record<string, string>) {
  return request(started.server).post(path).set(headers).set('Content-Type', 'application/json').send(body);
}

function expectWebhookError(res: request.Response, code: RakomiErrorCode, status: number): void {
  expect(res.status).toBe(status);
  expect(res.body).toStrictEqual({ statusCode: status, ...new RakomiError(code).toJSON() });
  expect(res.headers['cache-control']).toBe('no-store');
  expect(res.headers['www-authenticate']).toBeUndefined();
  expectNoLeak(res, secrets);
}

describe.each(ADAPTERS)('@RakomiWebhook() on %s', (adapter) => {
  let started: StartedApp;
  let log: DeliveryLog;

  beforeAll(async () => {
    started = await startApp(adapter, WebhookAppModule.with(issuer.moduleOptions({ webhookMaxBytes: MAX_BYTES })));
    log = started.app.get(DeliveryLog);
  });
  afterAll(async () => {
    await started?.close();
  });

  it('verifies the exact signed bytes and runs the handler with its own status (202), no bearer asked', async () => {
    const spaced = '{"type": "user.created",  "data": {"id": "usr_1", "name": "\u00e9"}}';
    const { body, headers, deliveryId } = delivery(spaced);
    const res = await post(started, '/hooks/accepted', body, headers);
    expect(res.status).toBe(202);
    expect(res.body).toStrictEqual({ handled: deliveryId });
    expect(log.count(deliveryId)).toBe(1);
    const { event } = log.events.at(-1)!;
    expect(event.payload).toStrictEqual({ type: 'user.created', data: { id: 'usr_1', name: 'é' } });
    expect(event.timestamp).toBeInstanceOf(Date);
    expect(event.timestamp.getTime()).toBe(Number(headers['x-rakomi-timestamp']) * 1000);
  });

  it("keeps Nest's default status (201 for POST) on a first delivery; @WebhookEvent('payload') injects the payload", async () => {
    const { body, headers, deliveryId } = delivery();
    const res = await post(started, '/hooks/default', body, headers);
    expect(res.status).toBe(201);
    expect(res.body).toStrictEqual({ type: 'user.created' });
    expect(log.count(deliveryId)).toBe(1);
  });

  it.each([
    ['/hooks/accepted', 202],
    ['/hooks/default', 201],
    ['/hooks/manual', 204],
    ['/class-hooks', 200],
  ])('an exact replay on %s → 200 acknowledgement, the handler ran once', async (path, firstStatus) => {
    const { body, headers, deliveryId } = delivery();
    expect((await post(started, path, body, headers)).status).toBe(firstStatus);
    for (let i = 0; i < 2; i++) {
      const replay = await post(started, path, body, headers);
      expect(replay.status).toBe(200);
      expect(replay.body).toStrictEqual(WEBHOOK_REPLAY_ACK);
    }
    expect(log.count(deliveryId)).toBe(1);
  });

  it('a genuine retry (same delivery id, new timestamp, new signature) is processed', async () => {
    const now = Math.floor(Date.now() / 1000);
    const first = delivery({ type: 'retry' }, { deliveryId: 'msg_retry_1', timestamp: now - 60 });
    const retry = delivery({ type: 'retry' }, { deliveryId: 'msg_retry_1', timestamp: now });
    expect((await post(started, '/hooks/accepted', first.body, first.headers)).status).toBe(202);
    expect((await post(started, '/hooks/accepted', retry.body, retry.headers)).status).toBe(202);
    expect(log.count('msg_retry_1')).toBe(2);
  });

  it('a bad signature → 400 webhook/invalid_signature, handler not run, no secret or expected signature leaked', async () => {
    const { body, headers, deliveryId } = delivery();
    const other = delivery({ type: 'other' }, { deliveryId });
    const res = await post(started, '/hooks/accepted', body, { ...headers, 'x-rakomi-signature': other.headers['x-rakomi-signature']! });
    expectWebhookError(res, 'webhook/invalid_signature', 400);
    expectNoLeak(res, [headers['x-rakomi-signature']!.slice(3)]);
    expect(log.count(deliveryId)).toBe(0);
  });

  it('a repeated X-Rakomi-* header: differing values → 400 webhook/invalid_signature (never "first wins"); identical repeats collapse', async () => {
    const { body, headers, deliveryId } = delivery();
    const forged = delivery({ type: 'forged' }, { deliveryId }).headers['x-rakomi-signature']!;
    const send = (extra: Record<string, string[]>) =>
      rawRequest(started.port, {
        method: 'POST',
        path: '/hooks/accepted',
        headers: { ...headers, ...extra, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
        body,
      });
    for (const extra of [
      { 'x-rakomi-signature': [headers['x-rakomi-signature']!, forged] },
      { 'x-rakomi-signature': [forged, headers['x-rakomi-signature']!] },
      { 'x-rakomi-delivery-id': [deliveryId, 'msg_other'] },
    ] as Record<string, string[]>[]) {
      const res = await send(extra);
      expect([res.status, (res.body as { code?: string }).code]).toEqual([400, 'webhook/invalid_signature']);
    }
    expect(log.count(deliveryId)).toBe(0);
    const same = await send({ 'x-rakomi-signature': [headers['x-rakomi-signature']!, headers['x-rakomi-signature']!] });
    expect(same.status).toBe(202);
    expect(log.count(deliveryId)).toBe(1);
  });

  it('a re-serialised body (what .send(object) does) → 400 webhook/invalid_signature', async () => {
    const { body, headers, deliveryId } = delivery('{"amount": 1.0, "b": 2, "a": 1}');
    const res = await request(started.server).post('/hooks/accepted').set(headers).send(JSON.parse(body));
    expectWebhookError(res, 'webhook/invalid_signature', 400);
    expect(log.count(deliveryId)).toBe(0);
  });

  it('missing headers → 400 webhook/missing_header (even with a bearer token present)', async () => {
    const { body, headers } = delivery();
    const { ['x-rakomi-signature']: _dropped, ...rest } = headers;
    const res = await post(started, '/hooks/accepted', body, { ...rest, Authorization: 'Bearer x.y.z' });
    expectWebhookError(res, 'webhook/missing_header', 400);
  });

  it('an old timestamp → 400 webhook/timestamp_expired', async () => {
    const { body, headers } = delivery({ type: 'old' }, { timestamp: Math.floor(Date.now() / 1000) - 3600 });
    expectWebhookError(await post(started, '/hooks/accepted', body, headers), 'webhook/timestamp_expired', 400);
  });

  it('an empty POST → 400 webhook/missing_header, never a 500', async () => {
    const res = await request(started.server).post('/hooks/accepted');
    expectWebhookError(res, 'webhook/missing_header', 400);
  });

  it(`a body over webhookMaxBytes (${MAX_BYTES}) → 413 webhook/invalid_body`, async () => {
    const { body, headers, deliveryId } = delivery({ type: 'big', data: 'x'.repeat(MAX_BYTES) });
    expectWebhookError(await post(started, '/hooks/accepted', body, headers), 'webhook/invalid_body', 413);
    expect(log.count(deliveryId)).toBe(0);
  });

  it('Content-Encoding: identity is accepted', async () => {
    const { body, headers } = delivery();
    const res = await post(started, '/hooks/accepted', body, { ...headers, 'Content-Encoding': 'identity' });
    expect(res.status).toBe(202);
  });

  /** Content types Fastify has no parser for: it answers its own 415 before any route code runs. */
  const FASTIFY_REFUSES = new Set(['multipart', 'octet-stream', 'a near-miss type', 'a bare +json', 'no Content-Type']);

  it.each([
    ['text/plain', 'text/plain'],
    ['text/plain with charset', 'text/plain; charset=utf-8'],
    ['a form body', 'application/x-www-form-urlencoded'],
    ['multipart', 'multipart/form-data; boundary=x'],
    ['octet-stream', 'application/octet-stream'],
    ['a near-miss type', 'application/jsonx'],
    ['a bare +json', 'application/+json'],
    ['no Content-Type', undefined],
  ])('a delivery sent as %s → 415 webhook/unsupported_media_type, nothing logged above debug', async (name, contentType) => {
    const { body, headers, deliveryId } = delivery();
    started.logs.clear();
    const res = await rawRequest(started.port, {
      method: 'POST',
      path: '/hooks/accepted',
      body,
      headers: contentType === undefined ? headers : { ...headers, 'content-type': contentType },
    });
    if (adapter === 'fastify' && FASTIFY_REFUSES.has(name)) expect(res.status).toBe(415);
    else expectWebhookError(res as unknown as request.Response, 'webhook/unsupported_media_type', 415);
    expect(log.count(deliveryId)).toBe(0);
    expect(started.logs.entries.filter((line) => ['error', 'warn', 'fatal', 'log'].includes(line.level))).toEqual([]);
  });

  it('a body-less POST labelled text/plain → 415 too (the label alone is not a Rakomi delivery)', async () => {
    const { headers } = delivery();
    const res = await rawRequest(started.port, {
      method: 'POST',
      path: '/hooks/accepted',
      headers: { ...headers, 'content-type': 'text/plain' },
    });
    expect(res.status).toBe(415);
    expectWebhookError(res as unknown as request.Response, 'webhook/unsupported_media_type', 415);
  });

  it('application/json with parameters and any casing is accepted', async () => {
    const { body, headers, deliveryId } = delivery();
    const res = await rawRequest(started.port, {
      method: 'POST',
      path: '/hooks/accepted',
      body,
      headers: { ...headers, 'content-type': 'Application/JSON; charset=UTF-8' },
    });
    expect(res.status).toBe(202);
    expect(log.count(deliveryId)).toBe(1);
  });

  it('W-28 a gzip-encoded body is refused and the handler does not run', async () => {
    const { body, headers, deliveryId } = delivery();
    // Raw HTTP: supertest would not send the compressed bytes as they are.
    const res = await rawRequest(started.port, {
      method: 'POST',
      path: '/hooks/accepted',
      body: gzipSync(body),
      headers: { ...headers, 'content-type': 'application/json', 'content-encoding': 'gzip' },
    });
    if (adapter === 'express') {
      // body-parser inflates it; the signature covers bytes the sender never sends encoded → refused, pinned.
      expectWebhookError(res as unknown as request.Response, 'webhook/invalid_body', 415);
      expect(res.headers['accept-encoding']).toBe('identity');
    } else {
      // Fastify does not decode bodies: it rejects the undecodable JSON before any route code runs.
      expect(res.status).toBe(400);
    }
    expect(log.count(deliveryId)).toBe(0);
  });

  it('any other Content-Encoding (even over plain bytes) → 415, the handler does not run', async () => {
    const { body, headers, deliveryId } = delivery();
    const res = await post(started, '/hooks/accepted', body, { ...headers, 'Content-Encoding': 'x-custom' });
    expect(res.status).toBe(415);
    if (adapter === 'fastify') {
      // Fastify hands the bytes over undecoded: our check refuses them.
      expectWebhookError(res, 'webhook/invalid_body', 415);
    }
    expect(log.count(deliveryId)).toBe(0);
  });
});

describe.each(ADAPTERS)('webhook app configuration and failures on %s', (adapter) => {
  it('W-22 raw body not enabled → 500 webhook/raw_body_unavailable, the handler does not run, logged once naming the fix', async () => {
    const started = await startApp(adapter, WebhookAppModule.with(issuer.moduleOptions()), { rawBody: false });
    try {
      const deliveries = [delivery(), delivery(), delivery()];
      for (const { body, headers } of deliveries) {
        const res = await post(started, '/hooks/accepted', body, headers);
        expectWebhookError(res, 'webhook/raw_body_unavailable', 500);
      }
      for (const { deliveryId } of deliveries) expect(started.app.get(DeliveryLog).count(deliveryId)).toBe(0);
      const errors = started.logs.entries.filter((line) => line.level === 'error');
      expect(errors).toHaveLength(1); // once per route, not per request
      const logged = errors[0]!.text;
      expect(logged).toContain('POST /hooks/accepted');
      expect(logged).not.toContain('not valid JSON');
      if (adapter === 'express') {
        expect(logged).toContain('NestFactory.create(AppModule, { rawBody: true })');
        expect(logged).toContain("app.useBodyParser('json', { limit: '1mb' })");
        expect(logged).toContain('app.use(json())');
        expect(logged).toContain("express.raw({ type: 'application/json' })");
        expect(logged).not.toContain('FastifyAdapter');
      } else {
        expect(logged).toContain('NestFactory.create(AppModule, new FastifyAdapter(), { rawBody: true })');
        expect(logged).not.toContain('express');
      }
    } finally {
      await started.close();
    }
  });

  it('raw body not enabled, but a POST without a body → a 4xx (never the "raw body" 500), nothing logged', async () => {
    const started = await startApp(adapter, WebhookAppModule.with(issuer.moduleOptions()), { rawBody: false });
    try {
      const res = await rawRequest(started.port, {
        method: 'POST',
        path: '/hooks/accepted',
        headers: { 'content-type': 'application/json' },
      });
      expect(res.status).toBeLessThan(500);
      expect(started.logs.entries.filter((line) => line.level === 'error')).toEqual([]);
    } finally {
      await started.close();
    }
  });

  it('useBodyParser with a larger limit keeps the raw body', async () => {
    const configure = (app: INestApplication): void => {
      if (adapter === 'express') (app as NestExpressApplication).useBodyParser('json', { limit: '2mb' });
      else (app as NestFastifyApplication).useBodyParser('application/json', { bodyLimit: 2 * 1024 * 1024 });
    };
    const started = await startApp(adapter, WebhookAppModule.with(issuer.moduleOptions({ webhookMaxBytes: 2 * 1024 * 1024 })), {
      configure,
    });
    try {
      const { body, headers, deliveryId } = delivery({ type: 'large', data: 'x'.repeat(1_200_000) });
      const res = await post(started, '/hooks/accepted', body, headers);
      expect(res.status).toBe(202);
      expect(started.app.get(DeliveryLog).count(deliveryId)).toBe(1);
    } finally {
      await started.close();
    }
  });

  it('app.enableCsrfProtection() (Nest 12): server-to-server deliveries pass; exclude the route if a proxy adds a foreign Origin', async () => {
    // Nest 11 has no enableCsrfProtection(): there a foreign Origin passes on every route.
    let csrf = false;
    const configure = (app: INestApplication): void => {
      csrf = typeof (app as Partial<Pick<INestApplication, 'enableCsrfProtection'>>).enableCsrfProtection === 'function';
      if (csrf) app.enableCsrfProtection({ exclude: [{ path: 'hooks/accepted', method: RequestMethod.POST }] });
    };
    const started = await startApp(adapter, WebhookAppModule.with(issuer.moduleOptions()), { configure });
    try {
      const plain = delivery();
      expect((await post(started, '/hooks/accepted', plain.body, plain.headers)).status).toBe(202);
      const foreign = delivery();
      const excluded = await post(started, '/hooks/accepted', foreign.body, { ...foreign.headers, Origin: 'https://sender.example' });
      expect(excluded.status).toBe(202);
      const notExcluded = delivery();
      const refused = await post(started, '/hooks/default', notExcluded.body, {
        ...notExcluded.headers,
        Origin: 'https://sender.example',
      });
      expect(refused.status).toBe(csrf ? 403 : 201); // 201: the route's default POST status
      expect(csrf).toBe(nestMajor() >= 12);
    } finally {
      await started.close();
    }
  });

  it('a replay store failure → 503 with Retry-After (fail closed), the handler does not run', async () => {
    const failingStore = {
      claim: async (): Promise<boolean> => {
        throw new Error('connect ECONNREFUSED 10.1.2.3:6379 password=hunter2');
      },
    };
    const started = await startApp(adapter, WebhookAppModule.with(issuer.moduleOptions({ replayStore: failingStore })));
    try {
      const { body, headers, deliveryId } = delivery();
      const res = await post(started, '/hooks/accepted', body, headers);
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBe('5');
      expect(res.headers['cache-control']).toBe('no-store');
      expectNoLeak(res, [...secrets, '10.1.2.3']);
      expect(started.app.get(DeliveryLog).count(deliveryId)).toBe(0);
      expect(res.body.code).toBe('webhook/replay_store_unavailable');
      expect(started.logs.text).toContain('webhook/replay_store_unavailable (503)');
    } finally {
      await started.close();
    }
  });

  it('replayStore: false → every verified delivery runs the handler (the app dedupes)', async () => {
    const started = await startApp(adapter, WebhookAppModule.with(issuer.moduleOptions({ replayStore: false })));
    try {
      const { body, headers, deliveryId } = delivery();
      expect((await post(started, '/hooks/accepted', body, headers)).status).toBe(202);
      expect((await post(started, '/hooks/accepted', body, headers)).status).toBe(202);
      expect(started.app.get(DeliveryLog).count(deliveryId)).toBe(2);
    } finally {
      await started.close();
    }
  });
});
