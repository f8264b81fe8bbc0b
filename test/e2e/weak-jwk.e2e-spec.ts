// Issue 10, items 1 and 4: almost-right RSA JWKs served by the real local JWKS, and the log lines
// that tokens naming them can trigger. On both adapters, over real HTTP.
import { TokenService } from '@rakomi/nestjs';
import { RakomiTestIssuer } from '@rakomi/nestjs/testing';
import { startFaultApp, tally, type FaultAdapter, type FaultApp } from '../support/fault-app.js';
import { forgeForExponentOne, randomModulus, rsaJwkWithExponent, tokenWithRandomSignature } from '../support/forged-rsa.js';

const ADAPTERS: FaultAdapter[] = ['express', 'fastify'];

/** 2^256 − 1: the largest exponent FIPS 186-5 allows. */
const MAX_E = Buffer.alloc(32, 0xff).toString('base64url');

describe.each(ADAPTERS)('a forged token through a weak JWK on %s', (adapter) => {
  let issuer: RakomiTestIssuer;
  let app: FaultApp;

  beforeAll(async () => {
    issuer = await RakomiTestIssuer.start();
    app = await startFaultApp(issuer.moduleOptions({ tokenCache: false }), { adapter });
  });
  afterEach(() => issuer.reset());
  afterAll(async () => {
    await app.close();
    await issuer.close();
  });

  /** Publishes `jwk` next to the current key and makes the app fetch the new set now. */
  async function publish(jwk: Record<string, unknown>): Promise<void> {
    issuer.publish(jwk);
    await app.app.get(TokenService).reload();
  }

  it.each([
    ['e = 1 ("AQ")', 'AQ'],
    ['e = 1 with a leading zero octet ("AAAB")', 'AAAB'],
    ['e = 1 with padding ("AQ==")', 'AQ=='],
  ])('%s: the forged token (signature = its own padded hash) is refused with jwks/invalid_response', async (_case, e) => {
    await publish(rsaJwkWithExponent('rk-forged', e));
    const forged = forgeForExponentOne(issuer, 'rk-forged', { sub: 'usr_attacker' });
    const answer = await app.client.me(forged);
    expect(answer.body).toMatchObject({ code: 'jwks/invalid_response' });
    expect(answer.status).toBe(503);
    expect(answer.text).not.toContain('usr_attacker');
    // The genuine key of the same set keeps working.
    expect((await app.client.me(issuer.token())).status).toBe(200);
  });

  it('a 3064-bit e on a 3072-bit key is refused before any RSA work', async () => {
    const e = randomModulus(3064).toString('base64url'); // odd, top bit set
    await publish(rsaJwkWithExponent('rk-huge-e', e, randomModulus(3072)));
    const answer = await app.client.me(tokenWithRandomSignature(issuer, 'rk-huge-e', 384));
    expect([answer.status, answer.body?.code]).toEqual([503, 'jwks/invalid_response']);
  });

  it.each([
    ['e = 3', 'Aw'],
    ['e = 65535 (below 65537)', '__8'],
    ['even e = 65538', 'AQAC'],
    ['e = 2^256 + 1 (too large)', Buffer.concat([Buffer.from([1]), Buffer.alloc(31), Buffer.from([1])]).toString('base64url') + 'AQ'],
    ['e = 65537 with a leading zero octet', 'AAEAAQ'],
    ['e with non-zero trailing bits ("AQAB" spelled "AQAC"-like: "AR")', 'AR'],
    ['e in base64 with "+"', 'AQ+B'],
  ])('%s → the kid is unusable (jwks/invalid_response), never a signature check', async (_case, e) => {
    await publish(rsaJwkWithExponent('rk-odd', e));
    const answer = await app.client.me(tokenWithRandomSignature(issuer, 'rk-odd', 256));
    expect([answer.status, answer.body?.code]).toEqual([503, 'jwks/invalid_response']);
  });

  it('a modulus with a leading zero octet makes the kid unusable', async () => {
    const good = issuer.currentKey.jwk;
    issuer.unpublish(good.kid as string);
    issuer.publish(issuer.createKey({ kid: 'rk-other' }));
    const n = Buffer.from(good.n as string, 'base64url');
    await publish({ ...good, n: Buffer.concat([Buffer.from([0]), n]).toString('base64url') });
    const answer = await app.client.me(issuer.token());
    expect([answer.status, answer.body?.code]).toEqual([503, 'jwks/invalid_response']);
  });

  it('e = 2^256 − 1 (the largest allowed) is accepted: the kid exists, a random signature is merely invalid', async () => {
    await publish(rsaJwkWithExponent('rk-max-e', MAX_E));
    const answer = await app.client.me(tokenWithRandomSignature(issuer, 'rk-max-e', 256));
    expect([answer.status, answer.body?.code]).toEqual([401, 'token/invalid_signature']);
  });
});

describe.each(ADAPTERS)('refused kids do not flood the log on %s', (adapter) => {
  let issuer: RakomiTestIssuer;
  let app: FaultApp;

  beforeAll(async () => {
    issuer = await RakomiTestIssuer.start();
    const weak = issuer.createKey({ kid: 'rk-weak', modulusLength: 1024 });
    const dupA = issuer.createKey({ kid: 'rk-dup' });
    const dupB = issuer.createKey({ kid: 'rk-dup' });
    issuer.publish(weak);
    issuer.publish(dupA);
    issuer.publish(dupB);
    issuer.publish(rsaJwkWithExponent('rk-e1', 'AQ'));
    app = await startFaultApp(issuer.moduleOptions({ tokenCache: false }), { adapter });
  });
  afterAll(async () => {
    await app.close();
    await issuer.close();
  });

  it('200 requests naming refused kids → 200 catalog answers, at most one ERROR line per kid', async () => {
    const kids = ['rk-weak', 'rk-dup', 'rk-e1'];
    const answers = [];
    for (let i = 0; i < 200; i++) answers.push(await app.client.me(tokenWithRandomSignature(issuer, kids[i % 3]!, 256)));
    expect(tally(answers)).toEqual({ '503 jwks/invalid_response': 200 });
    const errors = app.logs.entries.filter((entry) => entry.level === 'error' || entry.level === 'fatal');
    expect(errors.length).toBeGreaterThanOrEqual(1);
    expect(errors.length).toBeLessThanOrEqual(kids.length);
    expect(app.logs.rakomi()).toHaveLength(errors.length); // and nothing else from the SDK
  });
});

describe.each(ADAPTERS)('an unexpected failure on every request does not flood the log on %s', (adapter) => {
  let issuer: RakomiTestIssuer;
  let app: FaultApp;

  beforeAll(async () => {
    issuer = await RakomiTestIssuer.start();
    const brokenClock = (): number => {
      throw new Error('clock unavailable');
    };
    app = await startFaultApp(issuer.moduleOptions({ tokenCache: false, now: brokenClock }), { adapter });
  });
  afterAll(async () => {
    await app.close();
    await issuer.close();
  });

  it('50 requests → 50 × 500 token/internal_error, at most two ERROR lines (service + filter), once each', async () => {
    const answers = [];
    for (let i = 0; i < 50; i++) answers.push(await app.client.me(issuer.token()));
    expect(tally(answers)).toEqual({ '500 token/internal_error': 50 });
    const errors = app.logs.entries.filter((entry) => entry.level === 'error');
    expect(errors.length).toBeGreaterThanOrEqual(1);
    expect(errors.length).toBeLessThanOrEqual(2);
  });
});
