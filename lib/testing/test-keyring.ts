import { generateKeyPairSync, type KeyObject } from 'node:crypto';

/** An RSA key pair of the issuer, and the public JWK published for it. */
export interface TestSigningKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** `{ kty: 'RSA', kid, alg: 'RS256', use: 'sig', n, e }` */
  readonly jwk: Readonly<Record<string, unknown>>;
}

/** The test issuer's keys: which one signs, and which JWKs the JWK Set publishes. */
export class TestKeyring {
  private readonly published: Record<string, unknown>[] = [];
  private readonly firstKey: TestSigningKey;
  private signingKey: TestSigningKey;
  private unpublishedKey: TestSigningKey | undefined;
  private keyCounter = 0;

  /** Creates the first key (`rk-1`), signs with it and publishes it. */
  constructor() {
    this.signingKey = this.firstKey = this.createKey();
    this.publish(this.firstKey);
  }

  /** The key that signs tokens. */
  get currentKey(): TestSigningKey {
    return this.signingKey;
  }

  /** The published JWK Set (a copy). */
  get jwks(): { keys: Record<string, unknown>[] } {
    return { keys: this.published.map((jwk) => ({ ...jwk })) };
  }

  /** Back to the first key, signing and alone in the JWK Set. */
  reset(): void {
    this.published.length = 0;
    this.publish(this.firstKey);
    this.signingKey = this.firstKey;
  }

  /** Generates an RSA key pair without publishing it. */
  createKey(options: { kid?: string; modulusLength?: number } = {}): TestSigningKey {
    const kid = options.kid ?? `rk-${++this.keyCounter}`;
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: options.modulusLength ?? 2048 });
    const { n, e } = publicKey.export({ format: 'jwk' });
    return { kid, privateKey, publicKey, jwk: Object.freeze({ kty: 'RSA', kid, alg: 'RS256', use: 'sig', n, e }) };
  }

  /** Adds a key's public JWK, or any raw JWK object, to the JWK Set. */
  publish(key: TestSigningKey | Record<string, unknown>): void {
    this.published.push({ ...(isSigningKey(key) ? key.jwk : key) });
  }

  /** Removes every published entry with this `kid`. */
  unpublish(kid: string): void {
    for (let i = this.published.length - 1; i >= 0; i--) {
      if (this.published[i]?.kid === kid) this.published.splice(i, 1);
    }
  }

  /** Signs with a new published key; the previous one stays published only with `keepPrevious`. */
  rotate(keepPrevious: boolean): TestSigningKey {
    const previous = this.signingKey;
    const next = this.createKey();
    if (!keepPrevious) this.unpublish(previous.kid);
    this.publish(next);
    this.signingKey = next;
    return next;
  }

  /** Signs future tokens with `key`. */
  signWith(key: TestSigningKey): void {
    this.signingKey = key;
  }

  /** A key that is never published (kid `foreign`), created once: signs tokens the JWK Set cannot verify. */
  unpublished(): TestSigningKey {
    this.unpublishedKey ??= this.createKey({ kid: 'foreign' });
    return this.unpublishedKey;
  }
}

/** Whether `value` is a {@link TestSigningKey} rather than a raw JWK or a bare `KeyObject`. */
export function isSigningKey(value: unknown): value is TestSigningKey {
  return typeof value === 'object' && value !== null && 'privateKey' in value && 'jwk' in value;
}
