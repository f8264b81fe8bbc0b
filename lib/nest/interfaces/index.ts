export type { RakomiOptionsFactory } from './rakomi-options-factory.interface.js';
export type { RakomiRequest } from './rakomi-request.interface.js';
