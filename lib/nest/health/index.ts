// `@rakomi/nestjs/health`: the @nestjs/terminus integration, a separate entry point so that an
// app without @nestjs/terminus (an optional peer dependency) never loads it.
export { RakomiHealthIndicator } from './rakomi.health-indicator.js';
export type { KeySetState, KeySetStatus, RakomiStatus, ReplayStoreStatus } from '../../status/rakomi-status.interface.js';
