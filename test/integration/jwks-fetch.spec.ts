// JWKS server behaviour J-01..J-19, J-25, J-26 (test/CASES.md): what is requested, how
// every kind of bad answer is classified, and that hostile sizes stay bounded. Cold cache per case.
import { createServer as createNetServer } from 'node:net';
import { gzipSync } from 'node:zlib';
import type { ServerResponse } from 'node:http';
import type { RakomiModuleOptions } from '../../lib/options/rakomi-options.interface.js';
import type { RakomiTestIssuer } from '../../lib/testing/index.js';
import type { TokenService } from '../../lib/token/token.service.js';
import { CapturingLogger, codeOf, expectNoLeak, failure, serviceFor, startIssuer } from '../support/token-harness.js';

let issuer: RakomiTestIssuer;
let attacker: RakomiTestIssuer;
const services: TokenService[] = [];

beforeAll(async () => {
  issuer = await startIssuer();
  attacker = await startIssuer();
});

afterEach(() => {
  issuer.fault();
  issuer.setHandler();
  issuer.resetHits();
  attacker.resetHits();
  for (const service of services.splice(0)) service.close();
});

afterAll(async () => {
  await issuer.close();
  await attacker.close();
});

function fresh(overrides: Partial<RakomiModuleOptions> = {}): { service: TokenService; logger: CapturingLogger } {
  const made = serviceFor(issuer, { tokenCache: false, ...overrides, jwks: { timeout: 0.3, ...overrides.jwks } });
  services.push(made.service);
  return made;
}

/** Host and port of the issuer: never in what a client sees (the fix command excepted). */
function location(target: RakomiTestIssuer = issuer): string[] {
  return [target.url.slice('http://'.length), '127.0.0.1'];
}

function serve(body: unknown, headers: Record<string, string> = {}): void {
  issuer.fault({ status: 200, headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
}

describe('J-01 the request', () => {
  it('GETs exactly the configured URL with Accept, identity encoding and a User-Agent, no credentials', async () => {
    const { service } = fresh();
    await service.verify(issuer.token());
    expect(issuer.hits).toBe(1);
    const [request] = issuer.requests;
    expect(request).toMatchObject({ method: 'GET', url: '/.well-known/jwks.json' });
    expect(request?.headers.accept).toBe('application/json, application/jwk-set+json');
    expect(request?.headers['accept-encoding']).toBe('identity');
    expect(request?.headers['user-agent']).toMatch(/rakomi/i);
    expect(request?.headers.authorization).toBeUndefined();
    expect(request?.headers.cookie).toBeUndefined();
    expect(JSON.stringify(request?.headers)).not.toContain('akm_test_local');
  });
});

/** Stands for an HTTP-date `Retry-After` one minute after the case starts. */
const IN_A_MINUTE = 'http-date in 60 s';

describe('J-02..J-06 non-2xx answers → jwks/fetch_failed (503) with Retry-After', () => {
  it.each([
    ['J-02 404', { status: 404 }, undefined],
    ['J-03 500 with a canary body', { status: 500, body: 'internal error password=hunter2' }, undefined],
    ['J-04 503 Retry-After: 120', { status: 503, headers: { 'Retry-After': '120' } }, 120],
    ['J-04 429 Retry-After: 30', { status: 429, headers: { 'Retry-After': '30' } }, 30],
    ['J-04 Retry-After beyond the 300 s cap', { status: 503, headers: { 'Retry-After': '99999' } }, 300],
    ['J-04 Retry-After as an HTTP date', { status: 503, headers: { 'Retry-After': IN_A_MINUTE } }, 60],
    ['J-06 304 without a conditional request', { status: 304 }, undefined],
    ['401', { status: 401 }, undefined],
  ])('%s', async (_name, fault, retryAfter) => {
    // The date is written when the case runs, not when the file loads (a busy machine can start a case late).
    const sentAt = Date.now();
    const dated = 'headers' in fault && fault.headers['Retry-After'] === IN_A_MINUTE;
    const retryAt = new Date(sentAt + 60_000).toUTCString();
    issuer.fault(dated ? { ...fault, headers: { 'Retry-After': retryAt } } : fault);
    const { service, logger } = fresh();
    const token = issuer.token();
    const error = await failure(service.verify(token));
    const answeredAt = Date.now();
    expect(error.code).toBe('jwks/fetch_failed');
    expect(error.status).toBe(503);
    expect(error.fixCommand).toBe(`curl ${issuer.jwksUrl}`);
    expect(error.toJSON().fix_command).toBe(`curl ${issuer.jwksUrl}`);
    if (retryAfter === undefined) {
      expect(error.retryAfter).toBeGreaterThanOrEqual(1);
    } else if (dated) {
      // Seconds from the moment the answer was read (between sentAt and answeredAt) to the date, rounded up.
      const date = Date.parse(retryAt);
      expect(error.retryAfter).toBeGreaterThanOrEqual(Math.ceil((date - answeredAt) / 1000));
      expect(error.retryAfter).toBeLessThanOrEqual(Math.ceil((date - sentAt) / 1000));
      expect(error.retryAfter).toBeLessThanOrEqual(retryAfter);
    } else {
      expect(error.retryAfter).toBe(retryAfter);
    }
    expectNoLeak(error, [token, ...location()]);
    expect(logger.text).not.toContain('hunter2');
    expect(issuer.hits).toBe(1);

    // Backoff floor: the endpoint is healthy again, but the next request does not refetch yet.
    issuer.fault();
    const again = await failure(service.verify(token));
    expect(again.code).toBe('jwks/fetch_failed');
    expect(again.retryAfter).toBeGreaterThanOrEqual(1);
    expect(issuer.hits).toBe(1);
    // reload() is the operator's override of the backoff.
    await service.reload();
    await expect(codeOf(service.verify(token))).resolves.toBe('ok');
  });
});

describe('J-07 redirects → jwks/fetch_failed, the target is never contacted', () => {
  it.each([301, 302, 307, 308])('%i', async (status) => {
    for (const target of [attacker.jwksUrl, `${issuer.url}/elsewhere.json`, 'http://169.254.169.254/latest/meta-data/']) {
      issuer.resetHits();
      issuer.fault({ status, headers: { Location: target } });
      const { service } = fresh();
      await expect(codeOf(service.verify(issuer.token()))).resolves.toBe('jwks/fetch_failed');
      expect(issuer.hits).toBe(1);
    }
    expect(attacker.hits).toBe(0);
  });
});

describe('J-08..J-11 network failures → jwks/fetch_failed', () => {
  it('J-08 connection refused: no ECONNREFUSED, host or port in the error', async () => {
    const closed = createNetServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as { port: number };
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const { service } = fresh({ baseUrl: `http://127.0.0.1:${port}` });
    const token = issuer.token();
    const error = await failure(service.verify(token));
    expect(error.code).toBe('jwks/fetch_failed');
    expect(error.fixCommand).toBe(`curl http://127.0.0.1:${port}/.well-known/jwks.json`);
    expectNoLeak(error, [token, `127.0.0.1:${port}`, String(port), 'ECONNREFUSED']);
  });

  it('J-09 DNS failure', async () => {
    const { service } = fresh({ baseUrl: 'https://rakomi-jwks.invalid' });
    const error = await failure(service.verify(issuer.token()));
    expect(error.code).toBe('jwks/fetch_failed');
    expectNoLeak(error, ['rakomi-jwks.invalid', 'ENOTFOUND']);
  });

  it('J-11 a server that never answers → fetch_failed after the timeout', async () => {
    issuer.fault({ hang: true });
    const { service } = fresh({ jwks: { timeout: 0.2 } });
    const started = performance.now();
    await expect(codeOf(service.verify(issuer.token()))).resolves.toBe('jwks/fetch_failed');
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(180);
    expect(elapsed).toBeLessThan(1000);
  });

  it('the timeout covers the body: headers sent, body trickling forever → fetch_failed', async () => {
    issuer.setHandler((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"keys":[');
      const drip = setInterval(() => (res.destroyed ? clearInterval(drip) : res.write(' ')), 20);
      res.on('close', () => clearInterval(drip));
    });
    const { service } = fresh({ jwks: { timeout: 0.2 } });
    const started = performance.now();
    await expect(codeOf(service.verify(issuer.token()))).resolves.toBe('jwks/fetch_failed');
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('a connection dropped mid-body → fetch_failed', async () => {
    issuer.setHandler((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '1000' });
      res.write('{"keys":[');
      setTimeout(() => res.destroy(), 10);
    });
    const { service } = fresh();
    await expect(codeOf(service.verify(issuer.token()))).resolves.toBe('jwks/fetch_failed');
  });
});

describe('J-13..J-16 bodies that are not a usable JWK Set → jwks/invalid_response (503)', () => {
  const K1 = () => issuer.currentKey.jwk;
  it.each([
    ['J-13 truncated JSON', () => '{"keys":['],
    ['J-14 null', () => 'null'],
    ['J-14 {}', () => ({})],
    ['J-14 keys null', () => ({ keys: null })],
    ['J-14 keys "x"', () => ({ keys: 'x' })],
    ['J-14 keys [null]', () => ({ keys: [null] })],
    ['J-14 keys ["x", K1]', () => ({ keys: ['x', K1()] })],
    ['J-14 an array', () => [K1()]],
    ['J-15 keys []', () => ({ keys: [] })],
    ['J-16 an HTML page with status 200', () => '<html><body>Please log in to the Wi-Fi</body></html>'],
    ['not UTF-8', () => Buffer.from([0x7b, 0xff, 0x7d])],
    ['a BOM before the JSON', () => `\ufeff${JSON.stringify({ keys: [K1()] })}`],
    ['J-17 more than 100 keys', () => ({ keys: Array.from({ length: 101 }, (_, i) => ({ ...K1(), kid: `k-${i}` })) })],
    [
      'only non-RSA / unusable keys',
      () => ({
        keys: [
          { kty: 'oct', k: 'c2VjcmV0', kid: 'rk-1', alg: 'HS256' },
          { ...K1(), use: 'enc' },
        ],
      }),
    ],
  ])('%s', async (_name, body) => {
    const value = body();
    issuer.fault({ status: 200, body: Buffer.isBuffer(value) || typeof value === 'string' ? value : JSON.stringify(value) });
    const { service } = fresh();
    const token = issuer.token();
    const error = await failure(service.verify(token));
    expect(error.code).toBe('jwks/invalid_response');
    expect(error.status).toBe(503);
    expect(error.retryAfter).toBeGreaterThanOrEqual(1);
    expectNoLeak(error, [token, ...location()]);
  });

  it.each([
    ['J-16 text/html', { 'Content-Type': 'text/html' }],
    ['no content type', { 'Content-Type': '' }],
    ['application/jwk-set+json', { 'Content-Type': 'application/jwk-set+json' }],
  ])('%s with a correct JWK Set → verified', async (_name, headers) => {
    serve(issuer.jwks, headers);
    const { service } = fresh();
    await expect(codeOf(service.verify(issuer.token()))).resolves.toBe('ok');
  });

  it('exactly 100 keys is within the limit', async () => {
    const K = issuer.currentKey.jwk;
    serve({ keys: [K, ...Array.from({ length: 99 }, (_, i) => ({ ...K, kid: `k-${i}` }))] });
    const { service } = fresh();
    await expect(codeOf(service.verify(issuer.token()))).resolves.toBe('ok');
  });
});

describe('J-17..J-19 hostile sizes stay bounded', () => {
  it('J-17 a body over jwks.maxBytes → invalid_response; the same body under a larger cap verifies', async () => {
    serve({ keys: [issuer.currentKey.jwk], padding: 'x'.repeat(600 * 1024) });
    await expect(codeOf(fresh().service.verify(issuer.token()))).resolves.toBe('jwks/invalid_response');
    await expect(codeOf(fresh({ jwks: { maxBytes: 1024 * 1024 } }).service.verify(issuer.token()))).resolves.toBe('ok');
  });

  it('J-18 an endless chunked body is cut at the cap, and the server stops sending', async () => {
    let sent = 0;
    let closed!: () => void;
    const connectionClosed = new Promise<void>((resolve) => (closed = resolve));
    issuer.setHandler((_req, res: ServerResponse) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"keys":[');
      const chunk = Buffer.alloc(16 * 1024, 0x20);
      const pump = (): void => {
        while (!res.destroyed && sent < 64 * 1024 * 1024) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
      };
      res.on('close', closed);
      pump();
    });
    const { service } = fresh({ jwks: { maxBytes: 64 * 1024, timeout: 2 } });
    const started = performance.now();
    await expect(codeOf(service.verify(issuer.token()))).resolves.toBe('jwks/invalid_response');
    await connectionClosed;
    expect(performance.now() - started).toBeLessThan(1500);
    expect(sent).toBeLessThan(8 * 1024 * 1024);
  });

  it('J-18 Content-Length: 100 followed by megabytes → not a JWK Set', async () => {
    issuer.setHandler((req) => {
      const socket = req.socket;
      socket.write('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n');
      socket.end(Buffer.alloc(2 * 1024 * 1024, 0x41));
    });
    await expect(codeOf(fresh().service.verify(issuer.token()))).resolves.toBe('jwks/invalid_response');
  });

  it('J-19 a gzip bomb is cut at the cap measured after decompression; memory stays bounded', async () => {
    const bomb = gzipSync(Buffer.concat([Buffer.from('{"keys":['), Buffer.alloc(16 * 1024 * 1024, 0x20), Buffer.from(']}')]), { level: 9 });
    expect(bomb.length).toBeLessThan(100 * 1024);
    issuer.setHandler((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip', 'Content-Length': String(bomb.length) });
      res.end(bomb);
    });
    const rssBefore = process.memoryUsage().rss;
    const started = performance.now();
    await expect(codeOf(fresh({ jwks: { timeout: 2 } }).service.verify(issuer.token()))).resolves.toBe('jwks/invalid_response');
    expect(performance.now() - started).toBeLessThan(1500);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(48 * 1024 * 1024);
  });

  it('a well-formed gzip-encoded JWK Set still verifies (the cap counts decompressed bytes)', async () => {
    const body = gzipSync(JSON.stringify(issuer.jwks));
    issuer.setHandler((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' });
      res.end(body);
    });
    await expect(codeOf(fresh().service.verify(issuer.token()))).resolves.toBe('ok');
  });
});

describe('J-25, J-26 dangerous key material → jwks/invalid_response', () => {
  it('J-25 a JWK carrying private members: rejected, and the body never reaches the logs', async () => {
    const privateJwk = issuer.currentKey.privateKey.export({ format: 'jwk' });
    for (const members of [privateJwk, { d: privateJwk.d }, { p: privateJwk.p, q: privateJwk.q }]) {
      serve({ keys: [{ ...issuer.currentKey.jwk, ...members }] });
      const { service, logger } = fresh();
      const error = await failure(service.verify(issuer.token()));
      expect(error.code).toBe('jwks/invalid_response');
      const logged = `${logger.text}\n${String((error.cause as Error | undefined)?.message)}`;
      expect(logged).not.toContain(privateJwk.d as string);
      expect(logged).not.toContain(issuer.currentKey.jwk.n as string);
    }
    // A private key elsewhere in the set (not the token's kid) poisons the whole set too.
    const other = issuer.createKey({ kid: 'other' }).privateKey.export({ format: 'jwk' });
    serve({ keys: [issuer.currentKey.jwk, { ...other, kid: 'other' }] });
    await expect(codeOf(fresh().service.verify(issuer.token()))).resolves.toBe('jwks/invalid_response');
  });

  it('J-26 an RSA-1024 key → invalid_response (not internal_error); strong keys next to it keep working', async () => {
    const weak = issuer.createKey({ kid: 'rk-weak', modulusLength: 1024 });
    serve({ keys: [weak.jwk] });
    const weakToken = issuer.token({}, { key: weak });
    await expect(codeOf(fresh().service.verify(weakToken))).resolves.toBe('jwks/invalid_response');

    serve({ keys: [issuer.currentKey.jwk, weak.jwk] });
    const { service } = fresh();
    const error = await failure(service.verify(weakToken));
    expect(error.code).toBe('jwks/invalid_response');
    expect(error.status).toBe(503);
    await expect(codeOf(service.verify(issuer.token()))).resolves.toBe('ok');
    expect(issuer.hits).toBe(2);
  });
});
