import type { KeyObject } from 'node:crypto';

/**
 * A usable RS256 public key of the current key set, imported once per key-set generation
 * (reused across generations while the JWK stays identical).
 */
export interface VerificationKey {
  /** The `kid` it is published under. */
  readonly kid: string;
  /** The RSA public key, ready for `crypto.verify`. */
  readonly keyObject: KeyObject;
  /** Modulus length in bytes: the exact length of every valid signature. */
  readonly signatureLength: number;
}
