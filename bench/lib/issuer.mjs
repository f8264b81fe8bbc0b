// The token issuer the benchmark signs with and every variant fetches its JWKS from.
// Prefers the package's own RakomiTestIssuer (dist/testing); falls back to a minimal local issuer
// (node:crypto, RSA-2048, /.well-known/jwks.json on 127.0.0.1) so the harness runs before it exists.
import { createHmac, generateKeyPairSync, randomBytes, randomUUID, sign } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const DIST = ROOT + 'dist/';
export const AUDIENCE = 'rakomi-bench-api';

/** Imports the built package (`dist/index.js`), or undefined when it is not built. */
export async function loadOurs() {
  if (!existsSync(DIST + 'index.js')) return undefined;
  return import(pathToFileURL(DIST + 'index.js').href);
}

/** True when the package exports what the Nest variants need. */
export async function oursAvailable() {
  const ours = await loadOurs().catch(() => undefined);
  return Boolean(ours?.RakomiModule && ours?.RakomiAuthGuard && ours?.TokenService);
}

/** Starts an issuer: RakomiTestIssuer when built (and not BENCH_FALLBACK_ISSUER=1), else the fallback. */
export async function startIssuer() {
  if (process.env.BENCH_FALLBACK_ISSUER !== '1' && existsSync(DIST + 'testing/index.js')) {
    const testing = await import(pathToFileURL(DIST + 'testing/index.js').href);
    if (testing.RakomiTestIssuer) {
      const issuer = await testing.RakomiTestIssuer.start({ audience: AUDIENCE });
      return { kind: 'RakomiTestIssuer', issuer };
    }
  }
  return { kind: 'fallback', issuer: await FallbackIssuer.start({ audience: AUDIENCE }) };
}

const b64url = (value) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** Same shape as the subset of RakomiTestIssuer the benchmark uses. */
export class FallbackIssuer {
  static async start({ issuer = 'https://rakomi.com', audience = 'rakomi-test-api' } = {}) {
    const self = new FallbackIssuer(issuer, audience);
    await new Promise((resolve) => self.server.listen(0, '127.0.0.1', resolve));
    self.url = `http://127.0.0.1:${self.server.address().port}`;
    self.jwksUrl = self.url + '/.well-known/jwks.json';
    return self;
  }

  constructor(issuer, audience) {
    this.issuer = issuer;
    this.audience = audience;
    this.hits = 0;
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.privateKey = privateKey;
    this.kid = randomUUID();
    const jwk = { ...publicKey.export({ format: 'jwk' }), kid: this.kid, alg: 'RS256', use: 'sig' };
    this.jwksBody = JSON.stringify({ keys: [jwk] });
    this.webhookKey = randomBytes(32);
    this.webhookSecret = 'whsec_' + this.webhookKey.toString('base64');
    this.server = createServer((req, res) => {
      if (req.url === '/.well-known/jwks.json') {
        this.hits++;
        res.writeHead(200, { 'content-type': 'application/json' }).end(this.jwksBody);
      } else res.writeHead(404).end();
    });
  }

  resetHits() {
    this.hits = 0;
  }

  moduleOptions(overrides = {}) {
    return {
      apiKey: 'akm_test_local',
      baseUrl: this.url,
      issuer: this.issuer,
      audience: this.audience,
      webhookSecret: this.webhookSecret,
      ...overrides,
    };
  }

  claims(overrides = {}) {
    const iat = Math.floor(Date.now() / 1000);
    return {
      sub: 'user_' + randomUUID(),
      tenant_id: 'tenant_bench',
      email: 'bench@example.com',
      sid: 'sess_' + randomUUID(),
      iss: this.issuer,
      aud: this.audience,
      iat,
      exp: iat + 900,
      jti: randomUUID(),
      ...overrides,
    };
  }

  token(claims, opts = {}) {
    const header = { alg: 'RS256', typ: 'JWT', kid: opts.kid ?? this.kid, ...opts.header };
    const input = b64url(header) + '.' + b64url(claims ?? this.claims());
    return input + '.' + sign('sha256', Buffer.from(input), this.privateKey).toString('base64url');
  }

  signWebhook(body, { deliveryId = 'msg_' + randomUUID(), timestamp = Math.floor(Date.now() / 1000) } = {}) {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    const mac = createHmac('sha256', this.webhookKey).update(`${deliveryId}.${timestamp}.`).update(text).digest('base64');
    return {
      body: text,
      headers: {
        'content-type': 'application/json',
        'x-rakomi-delivery-id': deliveryId,
        'x-rakomi-timestamp': String(timestamp),
        'x-rakomi-signature': 'v1,' + mac,
      },
    };
  }

  async close() {
    await new Promise((resolve) => this.server.close(resolve));
    this.server.closeAllConnections?.();
  }
}
