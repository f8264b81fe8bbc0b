// RakomiTestIssuer ('@rakomi/nestjs/testing'): the local issuer other suites and users rely on.
// Its tokens are cross-checked with jose, an independent verifier.
import { createHmac, createPublicKey, verify as cryptoVerify } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { RakomiClient } from '../../lib/client/rakomi.client.js';
import { resolveOptions } from '../../lib/options/resolve-options.js';
import { RakomiTestIssuer } from '../../lib/testing/index.js';
import { BAD_TOKEN_CODES } from '../support/bad-token-codes.js';
import { NOW_MS, NOW_S, codeOf, serviceFor } from '../support/token-harness.js';

let issuer: RakomiTestIssuer;

beforeAll(async () => {
  issuer = await RakomiTestIssuer.start({ now: () => NOW_MS });
});

afterEach(() => issuer.reset());

afterAll(async () => {
  await issuer.close();
});

describe('RakomiTestIssuer', () => {
  it('serves a JWK Set with one RS256 key on 127.0.0.1 and counts every request', async () => {
    expect(issuer.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(issuer.jwksUrl).toBe(`${issuer.url}/.well-known/jwks.json`);
    const response = await fetch(issuer.jwksUrl);
    const body = (await response.json()) as { keys: Record<string, unknown>[] };
    expect(body.keys).toHaveLength(1);
    expect(body.keys[0]).toMatchObject({ kty: 'RSA', kid: 'rk-1', alg: 'RS256', use: 'sig', e: 'AQAB' });
    expect(createPublicKey({ key: body.keys[0] as never, format: 'jwk' }).asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect((await fetch(`${issuer.url}/other`)).status).toBe(404);
    expect(issuer.hits).toBe(2);
    expect(issuer.requests.map((r) => r.url)).toEqual(['/.well-known/jwks.json', '/other']);
    issuer.resetHits();
    expect(issuer.hits).toBe(0);
  });

  it('signs tokens that jose verifies against the served JWKS', async () => {
    const token = issuer.token({ sub: 'usr_jose' });
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'RS256', typ: 'JWT', kid: 'rk-1' });
    const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(issuer.jwksUrl)), {
      issuer: issuer.issuer,
      audience: issuer.audience,
      currentDate: new Date(NOW_MS),
    });
    expect(payload).toMatchObject({ sub: 'usr_jose', tenant_id: 'ten_456', email: 'alice@example.com', sid: 'ses_789' });
  });

  it('claims() follows the clock: iat now, exp in 15 minutes, a fresh jti; undefined drops a claim', () => {
    const claims = issuer.claims({ email: undefined });
    expect(claims).toMatchObject({ iss: 'https://rakomi.com', aud: 'rakomi-test-api', iat: NOW_S, exp: NOW_S + 900 });
    expect(claims.jti).not.toBe(issuer.claims().jti);
    const payload = JSON.parse(Buffer.from(issuer.token({ email: undefined }).split('.')[1] as string, 'base64url').toString());
    expect(payload).not.toHaveProperty('email');
  });

  it('moduleOptions() configures the SDK against this issuer', async () => {
    const options = issuer.moduleOptions({ clockTolerance: 0 });
    expect(options).toMatchObject({
      apiKey: 'akm_test_local',
      baseUrl: issuer.url,
      issuer: issuer.issuer,
      audience: issuer.audience,
      clockTolerance: 0,
    });
    expect(options.webhookSecret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(resolveOptions(options).jwksUrl).toBe(issuer.jwksUrl);
    const client = new RakomiClient(options);
    try {
      await expect(client.verifyToken(issuer.token())).resolves.toMatchObject({ sub: 'usr_123' });
    } finally {
      client.close();
    }
  });

  it.each(BAD_TOKEN_CODES)('badToken(%p) → %s', async (kind, code) => {
    const { service } = serviceFor(issuer);
    try {
      await expect(codeOf(service.verify(issuer.badToken(kind)))).resolves.toBe(code);
    } finally {
      service.close();
    }
  });

  it('sign() builds raw tokens: exact header text, raw payload bytes, HS256 and none', () => {
    const rs = issuer.signJws('{"alg":"RS256","kid":"rk-1"}', Buffer.from([0x7b, 0xff, 0x7d]));
    const [h, p, s] = rs.split('.') as [string, string, string];
    expect(Buffer.from(h, 'base64url').toString()).toBe('{"alg":"RS256","kid":"rk-1"}');
    expect(Buffer.from(p, 'base64url')).toEqual(Buffer.from([0x7b, 0xff, 0x7d]));
    expect(cryptoVerify('sha256', Buffer.from(`${h}.${p}`), issuer.currentKey.publicKey, Buffer.from(s, 'base64url'))).toBe(true);

    const hs = issuer.signJws({ alg: 'HS256' }, { a: 1 }, { alg: 'HS256', hmacKey: 'k' });
    const [hh, hp, hsig] = hs.split('.') as [string, string, string];
    expect(hsig).toBe(createHmac('sha256', 'k').update(`${hh}.${hp}`).digest('base64url'));
    expect(issuer.signJws({ alg: 'none' }, {}, { alg: 'none' })).toMatch(/\.$/);
  });

  it('rotate(): pre-published keeps the old key, abrupt removes it; reset() restores rk-1', () => {
    const k2 = issuer.rotate({ prepublish: true });
    expect(issuer.jwks.keys.map((k) => k.kid)).toEqual(['rk-1', 'rk-2']);
    expect(decodeProtectedHeader(issuer.token()).kid).toBe(k2.kid);
    issuer.rotate();
    expect(issuer.jwks.keys.map((k) => k.kid)).toEqual(['rk-1', 'rk-3']);
    issuer.unpublish('rk-1');
    expect(issuer.jwks.keys.map((k) => k.kid)).toEqual(['rk-3']);
    issuer.reset();
    expect(issuer.jwks.keys.map((k) => k.kid)).toEqual(['rk-1']);
    expect(decodeProtectedHeader(issuer.token()).kid).toBe('rk-1');
  });

  it('createKey() makes unpublished keys, weak ones included', () => {
    const weak = issuer.createKey({ kid: 'weak', modulusLength: 1024 });
    expect(weak.publicKey.asymmetricKeyDetails?.modulusLength).toBe(1024);
    expect(issuer.jwks.keys.map((k) => k.kid)).toEqual(['rk-1']);
    issuer.publish({ kty: 'oct', kid: 'raw', k: 'c2VjcmV0' });
    expect(issuer.jwks.keys.map((k) => k.kid)).toEqual(['rk-1', 'raw']);
  });

  it('fault() programs status, headers, body and delay; fault() clears it', async () => {
    issuer.fault({ status: 503, headers: { 'Retry-After': '9' }, body: 'down' });
    const response = await fetch(issuer.jwksUrl);
    expect([response.status, response.headers.get('retry-after'), await response.text()]).toEqual([503, '9', 'down']);
    issuer.fault({ delayMs: 120 });
    const started = performance.now();
    expect((await fetch(issuer.jwksUrl)).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(100);
    issuer.fault();
    expect((await fetch(issuer.jwksUrl)).status).toBe(200);
  });

  it('setHandler() answers arbitrary responses', async () => {
    issuer.setHandler((_req, res) => {
      res.writeHead(302, { Location: 'http://127.0.0.1:1/' });
      res.end();
    });
    expect((await fetch(issuer.jwksUrl, { redirect: 'manual' })).status).toBe(302);
    issuer.setHandler();
    expect((await fetch(issuer.jwksUrl)).status).toBe(200);
  });

  it('signWebhook() produces deliveries the SDK accepts', () => {
    const client = new RakomiClient(issuer.moduleOptions());
    try {
      const { body, headers } = issuer.signWebhook({ type: 'user.created', data: { id: 'usr_1' } }, { deliveryId: 'msg_1' });
      const event = client.verifyWebhook<{ type: string }>(body, headers);
      expect(event).toMatchObject({ deliveryId: 'msg_1', payload: { type: 'user.created' } });
      expect(event.timestamp.getTime()).toBe(NOW_S * 1000);
    } finally {
      client.close();
    }
  });

  it('close() ends hanging connections and frees the port', async () => {
    const other = await RakomiTestIssuer.start();
    other.fault({ hang: true });
    const pending = fetch(other.jwksUrl).then(
      () => 'answered',
      () => 'dropped',
    );
    while (other.hits === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await other.close();
    await expect(pending).resolves.toBe('dropped');
    await expect(fetch(other.jwksUrl)).rejects.toThrow();
  });

  it('never imports the Nest integration (only the Nest helpers in lib/testing/nest do)', () => {
    const dir = join(dirname(fileURLToPath(import.meta.url)), '../../lib/testing');
    const files = readdirSync(dir, { withFileTypes: true }).filter((entry) => entry.isFile() && entry.name !== 'index.ts');
    expect(files.length).toBeGreaterThan(1);
    for (const file of files) {
      expect(readFileSync(join(dir, file.name), 'utf8')).not.toMatch(/from '(\.\.\/nest|\.\/nest|@nestjs)/);
    }
  });

  it('types the signed body as what it is: a string for text and JSON, a Buffer for bytes', () => {
    const text: string = issuer.signWebhook('{"a":1}').body;
    const json: string = issuer.signWebhook({ a: 1 }).body;
    const bytes: Buffer = issuer.signWebhook(Buffer.from('{"a":1}')).body;
    expect([text, json, bytes.toString()]).toEqual(['{"a":1}', '{"a":1}', '{"a":1}']);
  });
});
