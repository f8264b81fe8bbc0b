// Almost-right RSA JWKs an attacker (or a broken issuer) might publish, and tokens that exploit them.
import { createHash, randomBytes } from 'node:crypto';
import { base64url, type RakomiTestIssuer } from '../../lib/testing/index.js';

/** DER prefix of a SHA-256 DigestInfo (RFC 8017 §9.2, note 1). */
const SHA256_DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex');

/** A random odd modulus of `bits` bits with its top bit set (nobody knows its factors). */
export function randomModulus(bits: number): Buffer {
  const n = randomBytes(bits / 8);
  n[0]! |= 0x80;
  n[n.length - 1]! |= 1;
  return n;
}

/** EMSA-PKCS1-v1_5(SHA-256(input)) in `length` octets: 00 01 FF…FF 00 DigestInfo H. */
export function emsaPkcs1Sha256(input: string, length: number): Buffer {
  const t = Buffer.concat([SHA256_DIGEST_INFO, createHash('sha256').update(input).digest()]);
  return Buffer.concat([Buffer.from([0, 1]), Buffer.alloc(length - t.length - 3, 0xff), Buffer.from([0]), t]);
}

/** An RSA JWK with public exponent `e` (base64url text as published) over a random 2048-bit modulus. */
export function rsaJwkWithExponent(kid: string, e: string, modulus = randomModulus(2048)): Record<string, unknown> {
  return { kty: 'RSA', kid, alg: 'RS256', use: 'sig', n: modulus.toString('base64url'), e };
}

/**
 * A token that verifies under a key with e = 1 and no private key at all: s^1 mod n = s, so the
 * "signature" is just the encoded message EMSA-PKCS1-v1_5(SHA-256(signing input)).
 */
export function forgeForExponentOne(issuer: RakomiTestIssuer, kid: string, claims: Record<string, unknown> = {}): string {
  const header = base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid }));
  const payload = base64url(JSON.stringify(issuer.claims(claims)));
  const signingInput = `${header}.${payload}`;
  return `${signingInput}.${emsaPkcs1Sha256(signingInput, 256).toString('base64url')}`;
}

/** A token for `kid` whose signature is random bytes of `length` octets (costs a full RSA verify). */
export function tokenWithRandomSignature(issuer: RakomiTestIssuer, kid: string, length: number): string {
  const header = base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid }));
  const payload = base64url(JSON.stringify(issuer.claims()));
  const signature = randomBytes(length);
  signature[0] = 0; // below any modulus
  return `${header}.${payload}.${signature.toString('base64url')}`;
}
