// The public surface of @rakomi/nestjs. Everything is named here on purpose: what is not
// listed is internal and may change without notice. The local test issuer is the separate
// entry point '@rakomi/nestjs/testing'.

// Errors
export { ERROR_CATALOG, ERROR_DOCS_BASE_URL, RakomiError, isRakomiError } from './errors/index.js';
export type { CatalogEntry, RakomiErrorCode, RakomiErrorJson, RakomiErrorOptions } from './errors/index.js';

// Options
export type {
  RakomiJwksOptions,
  RakomiJwksPreload,
  RakomiLogger,
  RakomiModuleOptions,
  RakomiTokenCacheOptions,
  ResolvedRakomiOptions,
} from './options/index.js';

// Framework-free core
export { RakomiClient } from './client/rakomi.client.js';
export { TokenService } from './token/token.service.js';
export type { RakomiClaims } from './token/rakomi-claims.interface.js';
export { WebhookService, type WebhookHeaders } from './webhook/webhook.service.js';
export type { RakomiWebhookEvent } from './webhook/rakomi-webhook-event.interface.js';
export type { ReplayStore } from './replay/replay-store.interface.js';
export type { KeySetState, KeySetStatus, RakomiStatus, ReplayStoreStatus } from './status/rakomi-status.interface.js';
export { CACHE_ATTRIBUTE, OUTCOME_ATTRIBUTE } from './metrics/rakomi-metrics.js';
export { MemoryReplayStore, ReplayStoreFullError, type MemoryReplayStoreOptions } from './replay/memory-replay.store.js';
export {
  RedisReplayStore,
  ReplayStoreUnavailableError,
  type RedisReplayStoreOptions,
  type RedisSetNxClient,
} from './replay/redis-replay.store.js';

// Nest integration
export {
  CurrentUser,
  Public,
  RAKOMI_MODULE_OPTIONS,
  RAKOMI_PUBLIC_METADATA,
  RAKOMI_RPC_AUTHORIZATION_METADATA,
  RAKOMI_WEBHOOK_METADATA,
  RakomiAuthGuard,
  RakomiExceptionFilter,
  RakomiGuardMissingError,
  RakomiModule,
  RakomiWebhook,
  RakomiWebhookInterceptor,
  RpcAuthorization,
  WEBHOOK_REPLAY_ACK,
  WebhookEvent,
  authenticateConnection,
  graphqlWsOnConnect,
} from './nest/index.js';
export type {
  RakomiErrorResponseBody,
  RakomiModuleAsyncOptions,
  RakomiModuleExtras,
  RakomiModuleForRootOptions,
  RakomiOptionsFactory,
  RakomiRequest,
  RpcAuthorizationReader,
} from './nest/index.js';

// Authorization after authentication: tenant isolation and claim requirements (403 access/*)
export {
  CurrentTenant,
  RAKOMI_CLAIMS_METADATA,
  RAKOMI_TENANT_METADATA,
  RakomiAccessPolicy,
  RequireClaims,
  TenantScoped,
  checkAccess,
  httpTenantSource,
} from './nest/index.js';
export type {
  AccessRefusal,
  AccessRequirements,
  ClaimExpectation,
  ClaimMatch,
  ClaimPredicate,
  ClaimRequirement,
  ClaimValue,
  RakomiAccessOptions,
  TenantBinding,
  TenantSource,
} from './nest/index.js';
