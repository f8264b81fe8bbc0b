export type { RakomiModuleOptions, RakomiJwksOptions, RakomiJwksPreload, RakomiTokenCacheOptions } from './rakomi-options.interface.js';
export type { RakomiLogger } from './rakomi-logger.interface.js';
export type { ResolvedRakomiOptions } from './resolved-options.interface.js';
export { resolveOptions } from './resolve-options.js';
