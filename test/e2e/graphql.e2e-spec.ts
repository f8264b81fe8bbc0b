// GraphQL (Apollo, queries, mutations, graphql-ws subscriptions) authenticated by the global
// RakomiAuthGuard, on Express and Fastify, with the real local issuer and real clients.
import request from 'supertest';
import { RakomiTestIssuer } from '@rakomi/nestjs/testing';
import { ADAPTERS, startApp, type StartedApp } from '../support/app-harness.js';
import { graphqlAppModule, resolverRuns, subscribeOnce } from './fixtures/graphql.app.js';

const ME = '{ me { sub email } }';

// A tiny JWKS cooldown lets each unknown-kid token refetch, so a programmed outage answers 503.
let issuer: RakomiTestIssuer;
/** The app's clock runs this many ms ahead of the issuer's (to expire a token on an open connection). */
let clockAhead = 0;
beforeAll(async () => {
  issuer = await RakomiTestIssuer.start();
});
afterAll(() => issuer.close());

describe.each(ADAPTERS)('GraphQL (Apollo) on %s', (adapter) => {
  let started: StartedApp;
  beforeAll(async () => {
    started = await startApp(
      adapter,
      graphqlAppModule(issuer.moduleOptions({ jwks: { cooldown: 0.001 }, now: () => Date.now() + clockAhead })),
    );
  });
  afterAll(() => started.close());
  beforeEach(() => {
    resolverRuns.length = 0;
    started.logs.clear();
  });
  afterEach(() => {
    issuer.fault(undefined);
    clockAhead = 0;
    expect(started.logs.entries.filter((line) => line.level === 'error')).toEqual([]);
  });

  const post = (query: string, token?: string, variables?: Record<string, unknown>) => {
    const call = request(started.server).post('/graphql').send({ query, variables });
    return token === undefined ? call : call.set('Authorization', `Bearer ${token}`);
  };

  it('a query with a valid token runs the resolver with @CurrentUser()', async () => {
    const res = await post(ME, issuer.token({ sub: 'usr_gql', email: 'gql@example.com' }));
    expect(res.body).toEqual({ data: { me: { sub: 'usr_gql', email: 'gql@example.com' } } });
    expect(resolverRuns).toEqual(['me']);
  });

  it('@RequireClaims unmet → GraphQLError FORBIDDEN with access/insufficient_claims, the resolver never ran; met → it runs', async () => {
    const refused = await post('{ admin }', issuer.token({ roles: ['viewer'] }));
    expect(refused.body.data).toBeNull();
    const [error] = refused.body.errors as { message: string; extensions: Record<string, unknown> }[];
    expect(error!.extensions.code).toBe('FORBIDDEN');
    expect(error!.extensions.rakomi).toMatchObject({ statusCode: 403, code: 'access/insufficient_claims' });
    expect(resolverRuns).toEqual([]);
    const allowed = await post('{ admin }', issuer.token({ sub: 'usr_admin', roles: ['admin'] }));
    expect(allowed.body).toEqual({ data: { admin: 'usr_admin' } });
    expect(resolverRuns).toEqual(['admin']);
  });

  it('a mutation with a valid token runs with @CurrentUser(claim)', async () => {
    const res = await post('mutation ($n: String!) { rename(name: $n) }', issuer.token({ email: 'm@example.com' }), { n: 'Ada' });
    expect(res.body).toEqual({ data: { rename: 'm@example.com is now Ada' } });
    expect(resolverRuns).toEqual(['rename']);
  });

  it('@Public() fields need no token', async () => {
    expect((await post('{ health }')).body).toEqual({ data: { health: 'ok' } });
  });

  it.each([
    ['no token', 'token/missing', 'UNAUTHENTICATED', undefined],
    ['a bad signature', 'token/invalid_signature', 'UNAUTHENTICATED', 'bad_signature'],
    ['an expired token', 'token/expired', 'UNAUTHENTICATED', 'expired'],
    ['a JWKS outage (unknown kid)', 'jwks/fetch_failed', 'SERVICE_UNAVAILABLE', 'unknown_kid'],
  ] as const)(
    '%s → a GraphQLError (%s, %s) with the catalog body, never a success; the resolver never ran',
    async (_label, code, gqlCode, kind) => {
      if (code === 'jwks/fetch_failed') issuer.fault({ status: 503 });
      for (const query of [ME, 'mutation { rename(name: "x") }']) {
        const res = await post(query, kind === undefined ? undefined : issuer.badToken(kind));
        expect(res.body.data).toBeNull();
        expect(res.body.errors).toHaveLength(1);
        const [error] = res.body.errors as { message: string; extensions: { code: unknown; rakomi: { message: string } } }[];
        expect(error!.extensions.code).toBe(gqlCode);
        expect(error!.extensions.rakomi).toMatchObject({ code, statusCode: gqlCode === 'UNAUTHENTICATED' ? 401 : 503 });
        expect(error!.message).toBe(error!.extensions.rakomi.message);
      }
      expect(resolverRuns).toEqual([]);
      if (code === 'jwks/fetch_failed') started.logs.clear(); // the outage itself is logged once, as on HTTP
    },
  );

  it('a graphql-ws subscription with connectionParams.authorization runs with @CurrentUser()', async () => {
    const token = issuer.token({ sub: 'usr_ws', email: 'ws@example.com' });
    for (const key of ['authorization', 'Authorization']) {
      const outcome = await subscribeOnce(started.port, { [key]: `Bearer ${token}` }, 'subscription { me { sub email } }');
      expect(outcome).toEqual({ data: { me: { sub: 'usr_ws', email: 'ws@example.com' } } });
    }
    expect(resolverRuns).toEqual(['subscription', 'subscription']);
  });

  it.each([
    ['no token', 4401, 'token/missing', undefined],
    ['an expired token', 4401, 'token/expired', 'expired'],
    ['a bad signature', 4401, 'token/invalid_signature', 'bad_signature'],
    ['a JWKS outage (unknown kid)', 1013, 'jwks/fetch_failed', 'unknown_kid'],
  ] as const)(
    'a graphql-ws connection with %s is closed at connect time (%i %s); no subscription ran',
    async (_label, code, reason, kind) => {
      if (reason === 'jwks/fetch_failed') issuer.fault({ status: 503 });
      const params = kind === undefined ? {} : { authorization: `Bearer ${issuer.badToken(kind)}` };
      const outcome = await subscribeOnce(started.port, params, 'subscription { me { sub } }');
      expect(outcome).toEqual({ closed: { code, reason } });
      expect(resolverRuns).toEqual([]);
      if (reason === 'jwks/fetch_failed') started.logs.clear();
    },
  );

  it('a token that expired after the connection was accepted: the subscription fails with UNAUTHENTICATED token/expired', async () => {
    const expireNow = () => {
      clockAhead = 60 * 60 * 1000;
    };
    const outcome = await subscribeOnce(
      started.port,
      { authorization: `Bearer ${issuer.token()}` },
      'subscription { me { sub } }',
      expireNow,
    );
    expect(outcome).toEqual({
      errors: [
        expect.objectContaining({
          extensions: expect.objectContaining({ code: 'UNAUTHENTICATED', rakomi: expect.objectContaining({ code: 'token/expired' }) }),
        }),
      ],
    });
    expect(resolverRuns).toEqual([]);
  });

  it('two credentials in connectionParams are ambiguous: closed with 4400 token/malformed', async () => {
    const token = `Bearer ${issuer.token()}`;
    const outcome = await subscribeOnce(started.port, { authorization: token, Authorization: token }, 'subscription { me { sub } }');
    expect(outcome).toEqual({ closed: { code: 4400, reason: 'token/malformed' } });
  });
});
