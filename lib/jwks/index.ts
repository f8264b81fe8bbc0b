export { JwksKeyStore } from './jwks-key-store.js';
export { MAX_JWKS_KEYS, MIN_RSA_BITS, MAX_RSA_BITS } from './jwk-set.js';
export type { VerificationKey } from './verification-key.js';
