import { KeyObject } from 'node:crypto';
import { createLocalJWKSet, errors, type JSONWebKeySet } from 'jose';
import { RakomiError } from '../errors/rakomi.error.js';
import { isJsonObject } from '../json/is-json-object.js';
import { rsaParameterProblem, type RsaParameterProblem } from './rsa-jwk-parameters.js';
import type { VerificationKey } from './verification-key.js';

/** Most keys a JWK Set may hold. */
export const MAX_JWKS_KEYS = 100;
/** Smallest accepted RSA modulus, bits (RFC 7518 §3.3). */
export const MIN_RSA_BITS = 2048;
/** Largest accepted RSA modulus, bits: bounds the CPU an unknown signature can cost. */
export const MAX_RSA_BITS = 8192;
/** JWK members that only private keys carry (RFC 7518 §6.3.2, RFC 8037, AKP). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'priv'] as const;

/** Why a published `kid` cannot be used although it names RSA key material for RS256. */
export type KidProblem = 'weak_key' | 'ambiguous' | 'unimportable' | RsaParameterProblem;

/** One validated generation of the JWK Set. */
export interface KeySet {
  /** Increases with every successful fetch. */
  readonly generation: number;
  /** Usable RS256 keys by `kid`, or the reason a `kid` is published but unusable. */
  readonly keys: ReadonlyMap<string, VerificationKey | KidProblem>;
  /** How many `kid`s are usable. */
  readonly usable: number;
}

function invalid(reason: string, cause?: unknown): RakomiError {
  return new RakomiError('jwks/invalid_response', { cause: new Error(reason, cause === undefined ? {} : { cause }) });
}

/** Imports the RS256 key jose selects for `kid` (or says why there is none). */
async function importKid(
  local: ReturnType<typeof createLocalJWKSet>,
  kid: string,
  previous: KeySet | undefined,
): Promise<VerificationKey | KidProblem | undefined> {
  let keyObject: KeyObject;
  try {
    keyObject = KeyObject.from(await local({ alg: 'RS256', kid }));
  } catch (error) {
    if (error instanceof errors.JWKSNoMatchingKey) return undefined;
    if (error instanceof errors.JWKSMultipleMatchingKeys) return 'ambiguous';
    if (error instanceof errors.JWKSInvalid) throw invalid('JWK Set holds a private key', error);
    return 'unimportable';
  }
  const bits = keyObject.asymmetricKeyDetails?.modulusLength;
  if (keyObject.asymmetricKeyType !== 'rsa' || keyObject.type !== 'public' || bits === undefined) return 'unimportable';
  if (bits < MIN_RSA_BITS || bits > MAX_RSA_BITS) return 'weak_key';
  const before = previous?.keys.get(kid);
  if (typeof before === 'object' && before.keyObject.equals(keyObject)) return before;
  return { kid, keyObject, signatureLength: Math.ceil(bits / 8) };
}

/**
 * Validates a fetched JWKS document and imports its usable RS256 keys with jose
 * (`createLocalJWKSet` applies RFC 7517 selection: `kty` RSA, `alg` absent or RS256, `use`
 * absent or `sig`, `key_ops` including `verify`; other keys are ignored, never fatal).
 *
 * Rejected as a whole (`jwks/invalid_response`; the caller keeps its last good set): not a JWK
 * Set, more than {@link MAX_JWKS_KEYS} keys, any member carrying private-key material, or no
 * usable RS256 key at all. A `kid` whose only RS256 candidate is weak (< 2048 bits), duplicated
 * or not importable, or any of whose RSA entries has refused `n` / `e` (see
 * {@link rsaParameterProblem}: e odd, 65537 ≤ e < 2^256, minimal canonical base64url), is recorded
 * as a {@link KidProblem} and answers `jwks/invalid_response` when a token asks for it.
 *
 * Keys identical to the previous generation's keep their `VerificationKey` object, so verified
 * tokens stay cached across a refresh that changed nothing.
 *
 * @throws RakomiError `jwks/invalid_response`
 */
export async function importJwkSet(document: unknown, generation: number, previous?: KeySet): Promise<KeySet> {
  if (!isJsonObject(document) || !Array.isArray(document.keys)) throw invalid('not a JWK Set');
  const entries: unknown[] = document.keys;
  if (entries.length > MAX_JWKS_KEYS) throw invalid(`more than ${MAX_JWKS_KEYS} keys`);
  let local: ReturnType<typeof createLocalJWKSet>;
  try {
    local = createLocalJWKSet(document as unknown as JSONWebKeySet);
  } catch (error) {
    throw invalid('not a JWK Set', error);
  }
  const kids = new Set<string>();
  // A kid with any RSA entry whose n / e are refused is unusable as a whole (fail closed), even
  // if jose would have picked another of its entries.
  const refused = new Map<string, RsaParameterProblem>();
  for (const entry of entries) {
    if (!isJsonObject(entry)) throw invalid('not a JWK Set');
    if (PRIVATE_MEMBERS.some((member) => Object.hasOwn(entry, member))) throw invalid('JWK Set holds a private key');
    if (typeof entry.kid !== 'string') continue;
    kids.add(entry.kid);
    const problem = entry.kty === 'RSA' ? rsaParameterProblem(entry) : undefined;
    if (problem !== undefined && !refused.has(entry.kid)) refused.set(entry.kid, problem);
  }

  const keys = new Map<string, VerificationKey | KidProblem>(refused);
  let usable = 0;
  const importable = [...kids].filter((kid) => !refused.has(kid));
  const imported = await Promise.all(importable.map(async (kid) => [kid, await importKid(local, kid, previous)] as const));
  for (const [kid, result] of imported) {
    if (result === undefined) continue;
    keys.set(kid, result);
    if (typeof result === 'object') usable++;
  }
  if (usable === 0) throw invalid('no usable RS256 signing key');
  return { generation, keys, usable };
}
