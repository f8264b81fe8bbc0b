import { Buffer } from 'node:buffer';
import { createHmac, generateKeyPairSync, randomBytes, randomUUID, sign as rsaSign, type KeyObject } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RakomiModuleOptions } from '../options/rakomi-options.interface.js';
import { signWebhook, type SignedWebhook } from './webhook-signer.js';

/** The JWKS path, as the SDK derives it from `baseUrl`. */
const JWKS_PATH = '/.well-known/jwks.json';
/** How many requests {@link RakomiTestIssuer.requests} keeps. */
const MAX_RECORDED_REQUESTS = 100;

/** An RSA key pair of the issuer, and the public JWK published for it. */
export interface TestSigningKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** `{ kty: 'RSA', kid, alg: 'RS256', use: 'sig', n, e }` */
  readonly jwk: Readonly<Record<string, unknown>>;
}

/** Options of {@link RakomiTestIssuer.start}. */
export interface RakomiTestIssuerOptions {
  /** Port on 127.0.0.1. @default 0 (a free port) */
  port?: number;
  /** `iss` of the tokens. @default 'https://rakomi.com' (the SDK's default issuer) */
  issuer?: string;
  /** `aud` of the tokens. @default 'rakomi-test-api' */
  audience?: string;
  /** Webhook signing secret. @default a fresh `whsec_` secret of 32 random bytes */
  webhookSecret?: string;
  /** Clock for `iat`/`exp` and webhook timestamps, ms. Passed on by {@link RakomiTestIssuer.moduleOptions}. @default Date.now */
  now?: () => number;
}

/** A programmed JWKS response; unset members keep the normal behaviour. */
export interface TestJwksFault {
  /** HTTP status. @default 200 */
  status?: number;
  /** Extra response headers. */
  headers?: Record<string, string>;
  /** Body sent instead of the JWKS document (the default body of a non-2xx status is empty). */
  body?: string | Buffer;
  /** Answer only after this many milliseconds. */
  delayMs?: number;
  /** Accept the request and never answer. */
  hang?: boolean;
}

/** Serves a request completely (after the hit was counted): redirects, gzip bombs, endless bodies… */
export type TestJwksHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** A request the issuer's server received. */
export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
}

/** Tokens that must fail, by the catalog code they provoke. */
export type BadTokenKind =
  | 'expired'
  | 'wrong_issuer'
  | 'wrong_audience'
  | 'missing_claims'
  | 'not_yet_valid'
  | 'hs256'
  | 'none'
  | 'unknown_kid'
  | 'bad_signature';

/** Options of {@link RakomiTestIssuer.token}. */
export interface TestTokenOptions {
  /** Header `kid` (default: the signing key's). */
  kid?: string;
  /** Header members merged over `{ alg: 'RS256', typ: 'JWT', kid }`; a member set to `undefined` is dropped. */
  header?: Record<string, unknown>;
  /** Signing key. @default the current key */
  key?: TestSigningKey;
}

/** Options of {@link RakomiTestIssuer.signWebhook}: the issuer's secret and clock unless given. */
export interface IssuerWebhookOptions {
  deliveryId?: string;
  timestamp?: number;
  secrets?: string[];
}

/** Options of {@link RakomiTestIssuer.sign}. */
export interface RawSignOptions {
  /** RSA private key for RS256. @default the current key */
  key?: KeyObject | TestSigningKey;
  /** How the signature is made: RS256 (RSA), HS256 (`hmacKey`) or none (empty signature). @default 'RS256' */
  alg?: 'RS256' | 'HS256' | 'none';
  /** HMAC key for `alg: 'HS256'`. @default '' */
  hmacKey?: string | Buffer;
}

/** `base64url` without padding, of a string's UTF-8 bytes or of raw bytes. */
export function base64url(input: string | Uint8Array): string {
  return Buffer.from(input as string).toString('base64url');
}

/**
 * A real local Rakomi issuer for tests: RSA-2048 keys, a JWKS endpoint on 127.0.0.1, token and
 * webhook signing, key rotation and programmable faults. No Rakomi account, no mocks.
 *
 * Import it from `@rakomi/nestjs/testing`; it never loads the Nest integration.
 *
 * @example
 * const issuer = await RakomiTestIssuer.start();
 * const client = new RakomiClient(issuer.moduleOptions());
 * await client.verifyToken(issuer.token({ sub: 'usr_1' }));
 * issuer.fault({ status: 503 });            // JWKS outage
 * await issuer.close();
 */
export class RakomiTestIssuer {
  /** Base URL (`http://127.0.0.1:<port>`), what the SDK's `baseUrl` option takes. */
  readonly url: string;
  /** `<url>/.well-known/jwks.json`. */
  readonly jwksUrl: string;
  /** `iss` of the tokens. */
  readonly issuer: string;
  /** `aud` of the tokens. */
  readonly audience: string;
  /** The webhook signing secret (`whsec_…`). */
  readonly webhookSecret: string;
  /** The clock of the tokens' `iat`/`exp`, ms. */
  readonly now: () => number;

  private readonly server: Server;
  private readonly nowOption: (() => number) | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly recorded: RecordedRequest[] = [];
  private readonly published: Record<string, unknown>[] = [];
  private signingKey: TestSigningKey;
  private readonly firstKey: TestSigningKey;
  private foreignKey: TestSigningKey | undefined;
  private keyCounter = 0;
  private hitCount = 0;
  private currentFault: TestJwksFault | undefined;
  private handler: TestJwksHandler | undefined;

  private constructor(server: Server, options: RakomiTestIssuerOptions) {
    this.server = server;
    const { port } = server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
    this.jwksUrl = this.url + JWKS_PATH;
    this.issuer = options.issuer ?? 'https://rakomi.com';
    this.audience = options.audience ?? 'rakomi-test-api';
    this.webhookSecret = options.webhookSecret ?? `whsec_${randomBytes(32).toString('base64')}`;
    this.nowOption = options.now;
    this.now = options.now ?? Date.now;
    this.signingKey = this.firstKey = this.createKey();
    this.publish(this.signingKey);
    server.on('request', (req, res) => this.serve(req, res));
  }

  /** Starts the issuer's HTTP server on 127.0.0.1 with one published key (`rk-1`). */
  static async start(options: RakomiTestIssuerOptions = {}): Promise<RakomiTestIssuer> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    return new RakomiTestIssuer(server, options);
  }

  /**
   * Back to the state right after `start()` without generating keys again: the first key signs
   * and is the only one published, no fault, no handler, hit counter at 0.
   */
  reset(): void {
    this.published.length = 0;
    this.publish(this.firstKey);
    this.signingKey = this.firstKey;
    this.currentFault = undefined;
    this.handler = undefined;
    this.resetHits();
  }

  /** Requests served so far, on any path (every request counts, including faults and hangs). */
  get hits(): number {
    return this.hitCount;
  }

  /** The last requests received (method, URL, headers), oldest first. */
  get requests(): readonly RecordedRequest[] {
    return this.recorded;
  }

  /** Sets {@link hits} back to 0 and forgets the recorded requests. */
  resetHits(): void {
    this.hitCount = 0;
    this.recorded.length = 0;
  }

  /** The key that signs tokens. */
  get currentKey(): TestSigningKey {
    return this.signingKey;
  }

  /** The JWKS document currently served (a copy). */
  get jwks(): { keys: Record<string, unknown>[] } {
    return { keys: this.published.map((jwk) => ({ ...jwk })) };
  }

  /**
   * Generates an RSA key pair without publishing it (an attacker key, a rotation target, a weak key).
   * @param options.kid @default `rk-<n>`
   * @param options.modulusLength @default 2048
   */
  createKey(options: { kid?: string; modulusLength?: number } = {}): TestSigningKey {
    const kid = options.kid ?? `rk-${++this.keyCounter}`;
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: options.modulusLength ?? 2048 });
    const { n, e } = publicKey.export({ format: 'jwk' });
    return { kid, privateKey, publicKey, jwk: Object.freeze({ kty: 'RSA', kid, alg: 'RS256', use: 'sig', n, e }) };
  }

  /** Adds a key (its public JWK) or any raw JWK object to the served JWK Set. */
  publish(key: TestSigningKey | Record<string, unknown>): void {
    this.published.push({ ...(isSigningKey(key) ? key.jwk : key) });
  }

  /** Removes every published entry with this `kid`. */
  unpublish(kid: string): void {
    for (let i = this.published.length - 1; i >= 0; i--) {
      if (this.published[i]?.kid === kid) this.published.splice(i, 1);
    }
  }

  /**
   * Switches signing to a new key and publishes it. With `prepublish: true` the old key stays
   * published (graceful rotation); otherwise it is removed at once (abrupt rotation).
   * To pre-publish a key *before* signing with it, use `createKey()` + `publish()` and pass it
   * to `token(…, { key })`, or `use(key)` later.
   * @returns the new current key
   */
  rotate(options: { prepublish?: boolean } = {}): TestSigningKey {
    const previous = this.signingKey;
    const next = this.createKey();
    if (!options.prepublish) this.unpublish(previous.kid);
    this.publish(next);
    this.signingKey = next;
    return next;
  }

  /** Signs future tokens with `key` (published or not). */
  use(key: TestSigningKey): void {
    this.signingKey = key;
  }

  /**
   * Programs the JWKS responses (status, headers, body, delay, hang) until cleared with
   * `fault()` / `fault(undefined)`.
   */
  fault(fault?: TestJwksFault): void {
    this.currentFault = fault;
  }

  /** Lets `handler` answer every request (after the hit is counted); `undefined` restores normal serving. */
  setHandler(handler?: TestJwksHandler): void {
    this.handler = handler;
  }

  /** C0-like valid claims at the issuer's clock: `iat` now, `exp` in 15 minutes, a random `jti`. */
  claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    const iat = Math.floor(this.now() / 1000);
    return {
      sub: 'usr_123',
      tenant_id: 'ten_456',
      email: 'alice@example.com',
      sid: 'ses_789',
      iss: this.issuer,
      aud: this.audience,
      iat,
      exp: iat + 900,
      jti: `jti_${randomUUID()}`,
      ...overrides,
    };
  }

  /**
   * A valid RS256 token (synchronous): `claims` merged over {@link claims}, signed by the current
   * key (or `options.key`), header `{ alg: 'RS256', typ: 'JWT', kid }` plus `options.header`.
   */
  token(claims: Record<string, unknown> = {}, options: TestTokenOptions = {}): string {
    const key = options.key ?? this.signingKey;
    const header = { alg: 'RS256', typ: 'JWT', kid: options.kid ?? key.kid, ...options.header };
    return this.sign(header, this.claims(claims), { key });
  }

  /**
   * Builds a compact JWS by hand so malformed tokens are possible: `header` and `payload` are
   * serialised with `JSON.stringify` unless given as a string (exact JSON text) or, for the
   * payload, as raw bytes; the signature covers `base64url(header).base64url(payload)`.
   */
  sign(header: object | string, payload: object | string | Buffer, options: RawSignOptions = {}): string {
    const headerText = typeof header === 'string' ? header : JSON.stringify(header);
    const payloadBytes = typeof payload === 'string' || Buffer.isBuffer(payload) ? payload : JSON.stringify(payload);
    const signingInput = `${base64url(headerText)}.${base64url(payloadBytes)}`;
    return `${signingInput}.${this.signature(signingInput, options)}`;
  }

  /** The base64url signature of an exact signing input (for hand-built segments). */
  signature(signingInput: string, options: RawSignOptions = {}): string {
    const alg = options.alg ?? 'RS256';
    if (alg === 'none') return '';
    if (alg === 'HS256') return createHmac('sha256', options.hmacKey ?? '').update(signingInput).digest('base64url');
    const key = options.key ?? this.signingKey;
    return rsaSign('sha256', Buffer.from(signingInput), isSigningKey(key) ? key.privateKey : key).toString('base64url');
  }

  /** A token that fails with the named problem (and only that one). */
  badToken(kind: BadTokenKind): string {
    const now = Math.floor(this.now() / 1000);
    switch (kind) {
      case 'expired':
        return this.token({ iat: now - 4_500, exp: now - 3_600 });
      case 'wrong_issuer':
        return this.token({ iss: 'https://issuer.invalid' });
      case 'wrong_audience':
        return this.token({ aud: 'another-api' });
      case 'missing_claims':
        return this.token({ tenant_id: undefined });
      case 'not_yet_valid':
        return this.token({ nbf: now + 3_600 });
      case 'hs256': {
        const pem = this.signingKey.publicKey.export({ type: 'spki', format: 'pem' });
        const header = { alg: 'HS256', typ: 'JWT', kid: this.signingKey.kid };
        return this.sign(header, this.claims(), { alg: 'HS256', hmacKey: pem });
      }
      case 'none':
        return this.sign({ alg: 'none', typ: 'JWT', kid: this.signingKey.kid }, this.claims(), { alg: 'none' });
      case 'unknown_kid':
        return this.token({}, { key: this.foreign(), kid: 'rk-unknown' });
      case 'bad_signature':
        return this.token({}, { key: this.foreign(), kid: this.signingKey.kid });
    }
  }

  /**
   * Options for `RakomiModule.forRoot()` / `new RakomiClient()` pointing at this issuer:
   * `{ apiKey: 'akm_test_local', baseUrl: url, issuer, audience, webhookSecret, now? , ...overrides }`.
   */
  moduleOptions(overrides: Partial<RakomiModuleOptions> = {}): RakomiModuleOptions {
    return {
      apiKey: 'akm_test_local',
      baseUrl: this.url,
      issuer: this.issuer,
      audience: this.audience,
      webhookSecret: this.webhookSecret,
      ...(this.nowOption === undefined ? {} : { now: this.nowOption }),
      ...overrides,
    };
  }

  /**
   * Signs a webhook the way Rakomi does (see `signWebhook`), with this issuer's secret and clock
   * unless `options` say otherwise. The body comes back as sent: a string for a string or an
   * object (its JSON), a `Buffer` for bytes.
   */
  signWebhook(body: Buffer | Uint8Array, options?: IssuerWebhookOptions): SignedWebhook<Buffer>;
  signWebhook(body: string | object, options?: IssuerWebhookOptions): SignedWebhook<string>;
  signWebhook(body: string | object, options: IssuerWebhookOptions = {}): SignedWebhook<string | Buffer> {
    return signWebhook(body, {
      secrets: options.secrets ?? [this.webhookSecret],
      timestamp: options.timestamp ?? Math.floor(this.now() / 1000),
      ...(options.deliveryId === undefined ? {} : { deliveryId: options.deliveryId }),
    });
  }

  /** Stops the server, drops open connections (hanging ones too) and pending delays. */
  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  private foreign(): TestSigningKey {
    this.foreignKey ??= this.createKey({ kid: 'foreign' });
    return this.foreignKey;
  }

  private serve(req: IncomingMessage, res: ServerResponse): void {
    this.hitCount++;
    this.recorded.push({ method: req.method ?? '', url: req.url ?? '', headers: { ...req.headers } });
    if (this.recorded.length > MAX_RECORDED_REQUESTS) this.recorded.shift();
    req.resume();
    if (this.handler !== undefined) {
      this.handler(req, res);
      return;
    }
    const fault = this.currentFault;
    if (fault?.hang) return;
    const isJwks = req.method === 'GET' && req.url === JWKS_PATH;
    const status = fault?.status ?? (isJwks ? 200 : 404);
    const ok = status >= 200 && status < 300;
    const body = fault?.body ?? (ok && isJwks ? JSON.stringify(this.jwks) : '');
    const respond = (): void => {
      if (res.destroyed) return;
      const headers = { ...fault?.headers };
      if (!Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')) {
        headers['Content-Type'] = 'application/json';
      }
      res.writeHead(status, headers);
      res.end(body);
    };
    if (fault?.delayMs === undefined) return respond();
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      respond();
    }, fault.delayMs);
    this.timers.add(timer);
  }
}

function isSigningKey(value: unknown): value is TestSigningKey {
  return typeof value === 'object' && value !== null && 'privateKey' in value && 'jwk' in value;
}
