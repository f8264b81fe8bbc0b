import { Buffer } from 'node:buffer';

/** Smallest accepted RSA public exponent (FIPS 186-5 §5.4: 2^16 < e < 2^256). */
export const MIN_RSA_EXPONENT = 65_537;
/** Most octets of an accepted RSA public exponent: e < 2^256. */
const MAX_RSA_EXPONENT_OCTETS = 32;
/** Most octets of an accepted modulus (8192 bits), checked before any import work. */
const MAX_RSA_MODULUS_OCTETS = 1024;
/** base64url alphabet, no padding. */
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** Why an RSA JWK's `n` / `e` are refused before import. */
export type RsaParameterProblem = 'non_canonical' | 'bad_exponent' | 'bad_modulus';

/**
 * The octets of a JWK integer (RFC 7518 §6.3.1: unsigned big-endian, base64url, minimal), or
 * `undefined` when the text is not its one canonical encoding: padding, `+` `/`, whitespace,
 * non-zero trailing bits, an empty value or a leading zero octet all give a second spelling of
 * the same key (and a leading zero can hide a tiny exponent such as `AAAB` = 1).
 */
function canonicalOctets(text: unknown): Buffer | undefined {
  if (typeof text !== 'string' || !BASE64URL.test(text) || text.length % 4 === 1) return undefined;
  const octets = Buffer.from(text, 'base64url');
  if (octets.toString('base64url') !== text) return undefined; // non-zero trailing bits
  if (octets.length === 0 || octets[0] === 0) return undefined;
  return octets;
}

/** e as an unsigned big-endian integer is at least {@link MIN_RSA_EXPONENT}. */
function atLeastMinimumExponent(e: Buffer): boolean {
  if (e.length > 3) return true; // no leading zero, so e ≥ 2^24
  return e.length === 3 && e.readUIntBE(0, 3) >= MIN_RSA_EXPONENT;
}

/**
 * Checks the public parameters of a JWK with `kty: "RSA"` before it is imported: `n` and `e`
 * canonical base64url without a leading zero octet; `e` odd with 65537 ≤ e < 2^256 (an `e` of 1
 * makes the "signature" of any token its own padded hash, so anyone could forge tokens; a huge
 * `e` multiplies the CPU cost of every bogus signature); `n` odd and at most 8192 bits.
 * @returns the problem, or `undefined` when the parameters are acceptable
 */
export function rsaParameterProblem(jwk: Readonly<Record<string, unknown>>): RsaParameterProblem | undefined {
  const n = canonicalOctets(jwk.n);
  const e = canonicalOctets(jwk.e);
  if (n === undefined || e === undefined) return 'non_canonical';
  if (e.length > MAX_RSA_EXPONENT_OCTETS || (e.at(-1)! & 1) === 0 || !atLeastMinimumExponent(e)) return 'bad_exponent';
  if (n.length > MAX_RSA_MODULUS_OCTETS || (n.at(-1)! & 1) === 0) return 'bad_modulus';
  return undefined;
}
