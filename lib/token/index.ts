export type { RakomiClaims } from './rakomi-claims.interface.js';
export { TokenService } from './token.service.js';
export { MAX_TOKEN_LENGTH } from './compact-jws.js';
