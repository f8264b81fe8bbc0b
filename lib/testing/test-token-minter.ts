import { Buffer } from 'node:buffer';
import { createHmac, randomUUID, sign as rsaSign, type KeyObject } from 'node:crypto';
import { isSigningKey, type TestKeyring, type TestSigningKey } from './test-keyring.js';

/** Tokens that must fail, by the catalog code they provoke. */
export type BadTokenKind =
  'expired' | 'wrong_issuer' | 'wrong_audience' | 'missing_claims' | 'not_yet_valid' | 'hs256' | 'none' | 'unknown_kid' | 'bad_signature';

/** Options of {@link TestTokenMinter.token}. */
export interface TestTokenOptions {
  /** Header `kid` (default: the signing key's). */
  kid?: string;
  /** Header members merged over `{ alg: 'RS256', typ: 'JWT', kid }`; a member set to `undefined` is dropped. */
  header?: Record<string, unknown>;
  /** Signing key. @default the current key */
  key?: TestSigningKey;
}

/** Options of {@link TestTokenMinter.signJws}. */
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

/** Mints the test issuer's tokens, valid or broken on purpose, with its keys, `iss`, `aud` and clock. */
export class TestTokenMinter {
  constructor(
    private readonly keys: TestKeyring,
    private readonly issuer: string,
    private readonly audience: string,
    private readonly now: () => number,
  ) {}

  /** Valid claims at the issuer's clock: `iat` now, `exp` in 15 minutes, a random `jti`. */
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

  /** A valid RS256 token: `claims` over {@link claims}, signed by the current key or `options.key`. */
  token(claims: Record<string, unknown> = {}, options: TestTokenOptions = {}): string {
    const key = options.key ?? this.keys.currentKey;
    const header = { alg: 'RS256', typ: 'JWT', kid: options.kid ?? key.kid, ...options.header };
    return this.signJws(header, this.claims(claims), { key });
  }

  /** A compact JWS of exactly this header and payload (`JSON.stringify` unless text or bytes). */
  signJws(header: object | string, payload: object | string | Buffer, options: RawSignOptions = {}): string {
    const headerText = typeof header === 'string' ? header : JSON.stringify(header);
    const payloadBytes = typeof payload === 'string' || Buffer.isBuffer(payload) ? payload : JSON.stringify(payload);
    const signingInput = `${base64url(headerText)}.${base64url(payloadBytes)}`;
    return `${signingInput}.${this.jwsSignature(signingInput, options)}`;
  }

  /** The base64url signature of an exact signing input. */
  jwsSignature(signingInput: string, options: RawSignOptions = {}): string {
    const alg = options.alg ?? 'RS256';
    if (alg === 'none') return '';
    if (alg === 'HS256')
      return createHmac('sha256', options.hmacKey ?? '')
        .update(signingInput)
        .digest('base64url');
    const key = options.key ?? this.keys.currentKey;
    return rsaSign('sha256', Buffer.from(signingInput), isSigningKey(key) ? key.privateKey : key).toString('base64url');
  }

  /** A token that fails with the named problem, and only that one. */
  badToken(kind: BadTokenKind): string {
    const now = Math.floor(this.now() / 1000);
    const current = this.keys.currentKey;
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
        const pem = current.publicKey.export({ type: 'spki', format: 'pem' });
        return this.signJws({ alg: 'HS256', typ: 'JWT', kid: current.kid }, this.claims(), { alg: 'HS256', hmacKey: pem });
      }
      case 'none':
        return this.signJws({ alg: 'none', typ: 'JWT', kid: current.kid }, this.claims(), { alg: 'none' });
      case 'unknown_kid':
        return this.token({}, { key: this.keys.unpublished(), kid: 'rk-unknown' });
      case 'bad_signature':
        return this.token({}, { key: this.keys.unpublished(), kid: current.kid });
    }
  }
}
