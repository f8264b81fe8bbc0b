import type { Buffer } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import type { RakomiModuleOptions } from '../options/rakomi-options.interface.js';
import { TestJwksServer, JWKS_PATH, type RecordedRequest, type TestJwksFault, type TestJwksHandler } from './test-jwks-server.js';
import { TestKeyring, type TestSigningKey } from './test-keyring.js';
import { TestTokenMinter, type BadTokenKind, type RawSignOptions, type TestTokenOptions } from './test-token-minter.js';
import { signWebhook, type SignedWebhook } from './webhook-signer.js';

export type { RecordedRequest, TestJwksFault, TestJwksHandler } from './test-jwks-server.js';
export type { TestSigningKey } from './test-keyring.js';
export { base64url, type BadTokenKind, type RawSignOptions, type TestTokenOptions } from './test-token-minter.js';

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

/** Options of {@link RakomiTestIssuer.signWebhook}: the issuer's secret and clock unless given. */
export interface IssuerWebhookOptions {
  deliveryId?: string;
  timestamp?: number;
  secrets?: string[];
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

  private readonly nowOption: (() => number) | undefined;
  private readonly minter: TestTokenMinter;

  private constructor(
    private readonly keys: TestKeyring,
    private readonly server: TestJwksServer,
    options: RakomiTestIssuerOptions,
  ) {
    this.url = server.url;
    this.jwksUrl = this.url + JWKS_PATH;
    this.issuer = options.issuer ?? 'https://rakomi.com';
    this.audience = options.audience ?? 'rakomi-test-api';
    this.webhookSecret = options.webhookSecret ?? `whsec_${randomBytes(32).toString('base64')}`;
    this.nowOption = options.now;
    this.now = options.now ?? Date.now;
    this.minter = new TestTokenMinter(keys, this.issuer, this.audience, this.now);
  }

  /** Starts the issuer's HTTP server on 127.0.0.1 with one published key (`rk-1`). */
  static async start(options: RakomiTestIssuerOptions = {}): Promise<RakomiTestIssuer> {
    const keys = new TestKeyring();
    const server = await TestJwksServer.start(options.port ?? 0, () => keys.jwks);
    return new RakomiTestIssuer(keys, server, options);
  }

  /**
   * Back to the state right after `start()` without generating keys again: the first key signs
   * and is the only one published, no fault, no handler, hit counter at 0.
   */
  reset(): void {
    this.keys.reset();
    this.server.fault = undefined;
    this.server.handler = undefined;
    this.server.resetHits();
  }

  /** Requests served so far, on any path (every request counts, including faults and hangs). */
  get hits(): number {
    return this.server.hits;
  }

  /** The last requests received (method, URL, headers), oldest first. */
  get requests(): readonly RecordedRequest[] {
    return this.server.requests;
  }

  /** Sets {@link hits} back to 0 and forgets the recorded requests. */
  resetHits(): void {
    this.server.resetHits();
  }

  /** The key that signs tokens. */
  get currentKey(): TestSigningKey {
    return this.keys.currentKey;
  }

  /** The JWKS document currently served (a copy). */
  get jwks(): { keys: Record<string, unknown>[] } {
    return this.keys.jwks;
  }

  /**
   * Generates an RSA key pair without publishing it (an attacker key, a rotation target, a weak key).
   * @param options.kid @default `rk-<n>`
   * @param options.modulusLength @default 2048
   */
  createKey(options: { kid?: string; modulusLength?: number } = {}): TestSigningKey {
    return this.keys.createKey(options);
  }

  /** Adds a key (its public JWK) or any raw JWK object to the served JWK Set. */
  publish(key: TestSigningKey | Record<string, unknown>): void {
    this.keys.publish(key);
  }

  /** Removes every published entry with this `kid`. */
  unpublish(kid: string): void {
    this.keys.unpublish(kid);
  }

  /**
   * Switches signing to a new key and publishes it. With `prepublish: true` the old key stays
   * published (graceful rotation); otherwise it is removed at once (abrupt rotation).
   * To pre-publish a key *before* signing with it, use `createKey()` + `publish()` and pass it
   * to `token(…, { key })`, or `signWith(key)` later.
   * @returns the new current key
   */
  rotate(options: { prepublish?: boolean } = {}): TestSigningKey {
    return this.keys.rotate(options.prepublish === true);
  }

  /** Signs future tokens with `key` (published or not). */
  signWith(key: TestSigningKey): void {
    this.keys.signWith(key);
  }

  /**
   * Programs the JWKS responses (status, headers, body, delay, hang) until cleared with
   * `fault()` / `fault(undefined)`.
   */
  fault(fault?: TestJwksFault): void {
    this.server.fault = fault;
  }

  /** Lets `handler` answer every request (after the hit is counted); `undefined` restores normal serving. */
  setHandler(handler?: TestJwksHandler): void {
    this.server.handler = handler;
  }

  /** Valid claims at the issuer's clock: `iat` now, `exp` in 15 minutes, a random `jti`. */
  claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return this.minter.claims(overrides);
  }

  /**
   * A valid RS256 token (synchronous): `claims` merged over {@link claims}, signed by the current
   * key (or `options.key`), header `{ alg: 'RS256', typ: 'JWT', kid }` plus `options.header`.
   */
  token(claims: Record<string, unknown> = {}, options: TestTokenOptions = {}): string {
    return this.minter.token(claims, options);
  }

  /**
   * Builds a compact JWS by hand so malformed tokens are possible: `header` and `payload` are
   * serialised with `JSON.stringify` unless given as a string (exact JSON text) or, for the
   * payload, as raw bytes; the signature covers `base64url(header).base64url(payload)`.
   */
  signJws(header: object | string, payload: object | string | Buffer, options: RawSignOptions = {}): string {
    return this.minter.signJws(header, payload, options);
  }

  /** The base64url signature of an exact signing input (for hand-built segments). */
  jwsSignature(signingInput: string, options: RawSignOptions = {}): string {
    return this.minter.jwsSignature(signingInput, options);
  }

  /** A token that fails with the named problem (and only that one). */
  badToken(kind: BadTokenKind): string {
    return this.minter.badToken(kind);
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
    await this.server.close();
  }
}
