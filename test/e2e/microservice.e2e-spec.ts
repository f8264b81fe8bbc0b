// A TCP microservice in a hybrid app (Express and Fastify) authenticated by RakomiAuthGuard, with a
// real Nest TCP client: the token travels in the message (`data.authorization`, or @RpcAuthorization()).
import request from 'supertest';
import type { ClientProxy } from '@nestjs/microservices';
import { RakomiTestIssuer } from '@rakomi/nestjs/testing';
import { ADAPTERS, startApp, type StartedApp } from '../support/app-harness.js';
import { microserviceAppModule, rpcRuns, send, startTcp, type GuardMode } from './fixtures/microservice.app.js';

let issuer: RakomiTestIssuer;
beforeAll(async () => {
  issuer = await RakomiTestIssuer.start();
});
afterAll(() => issuer.close());

const MODES: GuardMode[] = ['global guard, inheritAppConfig: true', '@UseGuards, inheritAppConfig: false'];
const cases = MODES.flatMap((mode) => ADAPTERS.map((adapter) => [mode, adapter] as const));

describe.each(cases)('TCP microservice (%s) in a hybrid app on %s', (mode, adapter) => {
  let started: StartedApp;
  let client: ClientProxy;
  beforeAll(async () => {
    // A tiny JWKS cooldown lets each unknown-kid token refetch, so a programmed outage answers 503.
    started = await startApp(adapter, microserviceAppModule(mode, issuer.moduleOptions({ jwks: { cooldown: 0.001 } })));
    client = await startTcp(started.app, mode);
  });
  afterAll(async () => {
    await client.close();
    await started.close();
  });
  beforeEach(() => {
    rpcRuns.length = 0;
    started.logs.clear();
  });
  afterEach(() => {
    issuer.fault(undefined);
    expect(started.logs.entries.filter((line) => line.level === 'error')).toEqual([]);
  });

  const bearer = (token: string) => `Bearer ${token}`;

  it('a valid token in data.authorization runs the handler with @CurrentUser(); HTTP routes still work', async () => {
    const token = issuer.token({ sub: 'usr_rpc' });
    expect(await send(client, 'whoami', { authorization: bearer(token) })).toEqual({ sub: 'usr_rpc' });
    expect(rpcRuns).toEqual(['whoami']);
    const http = await request(started.server).get('/me').set('Authorization', bearer(token));
    expect([http.status, http.body]).toEqual([200, { sub: 'usr_rpc' }]);
  });

  it('@RequireClaims unmet → the RpcException body 403 access/insufficient_claims, the handler never ran; met → it runs', async () => {
    const refused = (await send(client, 'admin', { authorization: bearer(issuer.token({ roles: ['viewer'] })) })) as { error: unknown };
    expect(refused.error).toEqual({
      statusCode: 403,
      code: 'access/insufficient_claims',
      message: expect.any(String),
      suggestion: expect.any(String),
      docs_url: 'https://rakomi.com/docs/errors/access/insufficient_claims',
    });
    expect(rpcRuns).toEqual([]);
    expect(await send(client, 'admin', { authorization: bearer(issuer.token({ roles: ['admin'] })) })).toBe('ok');
    expect(rpcRuns).toEqual(['admin']);
  });

  it('@RpcAuthorization() reads the token where it says; data.authorization does not count there', async () => {
    const token = issuer.token({ email: 'rpc@example.com' });
    expect(await send(client, 'custom', { meta: { auth: bearer(token) } })).toEqual({ email: 'rpc@example.com' });
    const elsewhere = await send(client, 'custom', { authorization: bearer(token) });
    expect(elsewhere).toEqual({ error: expect.objectContaining({ code: 'token/missing' }) });
    expect(rpcRuns).toEqual(['custom']);
  });

  it('@Public() handlers need no token', async () => {
    expect(await send(client, 'ping', {})).toBe('pong');
  });

  it.each([
    ['no token', 401, 'token/missing', undefined],
    ['a bad signature', 401, 'token/invalid_signature', 'bad_signature'],
    ['an expired token', 401, 'token/expired', 'expired'],
    ['a JWKS outage (unknown kid)', 503, 'jwks/fetch_failed', 'unknown_kid'],
  ] as const)('%s → the client gets the RpcException body (%i %s); the handler never ran', async (_label, status, code, kind) => {
    if (code === 'jwks/fetch_failed') issuer.fault({ status: 503 });
    for (const data of [kind === undefined ? {} : { authorization: bearer(issuer.badToken(kind)) }, 'not an object', 42]) {
      if (kind !== undefined && typeof data !== 'object') continue;
      const reply = (await send(client, 'whoami', data)) as { error: Record<string, unknown> };
      expect(reply.error).toEqual({
        statusCode: status,
        code,
        message: expect.any(String),
        suggestion: expect.any(String),
        docs_url: `https://rakomi.com/docs/errors/${code}`,
        ...(code === 'jwks/fetch_failed' ? { fix_command: expect.any(String) } : {}),
      });
    }
    expect(rpcRuns).toEqual([]);
  });
});
