// WebSocket gateways (socket.io and ws, on Express and Fastify) authenticated by the global
// RakomiAuthGuard per message and by authenticateConnection() at connect time, with real clients.
import { RakomiTestIssuer } from '@rakomi/nestjs/testing';
import { ADAPTERS, startApp, type StartedApp } from '../support/app-harness.js';
import { nestMajor } from '../support/nest-major.js';
import { connectGateway, gatewayAppModule, gatewayRuns, useSocketAdapter, type SocketKind } from './fixtures/gateway.app.js';

let issuer: RakomiTestIssuer;
/** The app's clock runs this many ms ahead of the issuer's (to expire a token on an open socket). */
let clockAhead = 0;
beforeAll(async () => {
  issuer = await RakomiTestIssuer.start();
});
afterAll(() => issuer.close());

const KINDS: SocketKind[] = ['socket.io', 'ws'];
const cases = KINDS.flatMap((kind) => ADAPTERS.map((adapter) => [kind, adapter] as const));

describe.each(cases)('%s gateways on %s', (kind, adapter) => {
  let started: StartedApp;
  beforeAll(async () => {
    // A tiny JWKS cooldown lets each unknown-kid token refetch, so a programmed outage answers 503.
    const options = issuer.moduleOptions({ jwks: { cooldown: 0.001 }, now: () => Date.now() + clockAhead });
    started = await startApp(adapter, gatewayAppModule(kind, options), { configure: useSocketAdapter(kind) });
  });
  afterAll(() => started.close());
  beforeEach(() => {
    gatewayRuns.length = 0;
    started.logs.clear();
  });
  afterEach(() => {
    issuer.fault(undefined);
    clockAhead = 0;
    expect(started.logs.entries.filter((line) => line.level === 'error')).toEqual([]);
  });

  /** Where a client puts its token: socket.io's `auth.token`, else the `Authorization` header. */
  const withToken = (token: string | undefined) =>
    token === undefined ? {} : kind === 'socket.io' ? { auth: { token } } : { headers: { Authorization: `Bearer ${token}` } };
  const connect = (gateway: 'checked' | 'open' | 'global', token?: string) =>
    connectGateway({ kind, port: started.port, gateway, ...withToken(token) });

  it('a valid handshake token: the connection stays, guarded messages run with @CurrentUser(), @Public() ones too', async () => {
    const client = await connect('checked', issuer.token({ sub: 'usr_socket' }));
    expect(await client.request('whoami')).toEqual({ event: 'whoami', data: { sub: 'usr_socket' } });
    expect(await client.request('ping')).toEqual({ event: 'pong', data: 'ok' });
    expect(gatewayRuns).toEqual(['whoami']);
    client.close();
  });

  it('@RequireClaims unmet → the exception event 403 access/insufficient_claims (the catalog body), the handler never ran; met → it runs', async () => {
    const viewer = await connect('checked', issuer.token({ roles: ['viewer'] }));
    expect(await viewer.request('admin')).toEqual({
      event: 'exception',
      data: {
        statusCode: 403,
        code: 'access/insufficient_claims',
        message: expect.any(String),
        suggestion: expect.any(String),
        docs_url: 'https://rakomi.com/docs/errors/access/insufficient_claims',
      },
    });
    expect(gatewayRuns).toEqual([]);
    const admin = await connect('checked', issuer.token({ roles: ['admin'] }));
    expect(await admin.request('admin')).toEqual({ event: 'admin', data: 'ok' });
    expect(gatewayRuns).toEqual(['admin']);
    viewer.close();
    admin.close();
  });

  if (kind === 'socket.io') {
    it('socket.io: the Authorization header works as well as auth.token; both at once are ambiguous (token/malformed)', async () => {
      const token = issuer.token({ sub: 'usr_header' });
      const byHeader = await connectGateway({
        kind,
        port: started.port,
        gateway: 'checked',
        headers: { Authorization: `Bearer ${token}` },
      });
      expect(await byHeader.request('whoami')).toEqual({ event: 'whoami', data: { sub: 'usr_header' } });
      byHeader.close();
      const both = await connectGateway({
        kind,
        port: started.port,
        gateway: 'checked',
        auth: { token },
        headers: { Authorization: `Bearer ${token}` },
      });
      expect(await both.closed).toEqual({ code: 0, reason: 'io server disconnect' });
      expect(both.events).toEqual([{ event: 'exception', data: expect.objectContaining({ statusCode: 400, code: 'token/malformed' }) }]);
    });
  }

  it.each([
    ['no token', 4401, 'token/missing', undefined],
    ['an expired token', 4401, 'token/expired', 'expired'],
    ['a bad signature', 4401, 'token/invalid_signature', 'bad_signature'],
    ['a JWKS outage (unknown kid)', 1013, 'jwks/fetch_failed', 'unknown_kid'],
  ] as const)(
    'a connection with %s is refused at connect time (ws: close %i; socket.io: exception event) with %s',
    async (_label, code, reason, kind_) => {
      if (reason === 'jwks/fetch_failed') issuer.fault({ status: 503 });
      const client = await connect('checked', kind_ === undefined ? undefined : issuer.badToken(kind_));
      if (kind === 'ws') {
        expect(await client.closed).toEqual({ code, reason });
      } else {
        expect(await client.closed).toEqual({ code: 0, reason: 'io server disconnect' });
        expect(client.events).toEqual([
          { event: 'exception', data: expect.objectContaining({ code: reason, docs_url: expect.any(String) }) },
        ]);
      }
      expect(gatewayRuns).toEqual([]);
    },
  );

  it('a token that expires while the socket is open: the next guarded message gets the exception event token/expired', async () => {
    const client = await connect('checked', issuer.token({ sub: 'usr_later' }));
    expect(await client.request('whoami')).toEqual({ event: 'whoami', data: { sub: 'usr_later' } });
    clockAhead = 60 * 60 * 1000;
    const refused = await client.request('whoami');
    expect(refused).toEqual({ event: 'exception', data: expect.objectContaining({ statusCode: 401, code: 'token/expired' }) });
    expect(gatewayRuns).toEqual(['whoami']);
    client.close();
  });

  it('a gateway without the connection helper still guards every message (exception event with the catalog body)', async () => {
    const anonymous = await connect('open');
    expect(await anonymous.request('whoami')).toEqual({
      event: 'exception',
      data: expect.objectContaining({ statusCode: 401, code: 'token/missing', suggestion: expect.any(String) }),
    });
    expect(await anonymous.request('ping')).toEqual({ event: 'pong', data: 'ok' });
    anonymous.close();
    const expired = await connect('open', issuer.badToken('expired'));
    // ws keeps no handshake: without authenticateConnection() no message has a token.
    const code = kind === 'ws' ? 'token/missing' : 'token/expired';
    expect(await expired.request('whoami')).toEqual({ event: 'exception', data: expect.objectContaining({ code }) });
    expired.close();
    if (kind === 'socket.io') {
      const valid = await connect('open', issuer.token({ sub: 'usr_open' }));
      expect(await valid.request('whoami')).toEqual({ event: 'whoami', data: { sub: 'usr_open' } });
      valid.close();
      expect(gatewayRuns).toEqual(['whoami']);
    } else {
      expect(gatewayRuns).toEqual([]);
    }
  });

  it('an APP_GUARD alone guards gateway messages on Nest 12, and not at all on Nest 11 (which builds gateway guards without the global ones)', async () => {
    const anonymous = await connect('global');
    const answer = await anonymous.request('echo');
    if (nestMajor() >= 12) {
      expect(answer).toEqual({ event: 'exception', data: expect.objectContaining({ statusCode: 401, code: 'token/missing' }) });
      expect(gatewayRuns).toEqual([]);
    } else {
      expect(answer).toEqual({ event: 'echo', data: 'ran' });
      expect(gatewayRuns).toEqual(['echo']);
    }
    anonymous.close();
  });
});
