export { RakomiModule } from './rakomi.module.js';
export type { RakomiModuleAsyncOptions, RakomiModuleExtras, RakomiModuleForRootOptions } from './rakomi.module-definition.js';
export {
  RAKOMI_MODULE_OPTIONS,
  RAKOMI_PUBLIC_METADATA,
  RAKOMI_RPC_AUTHORIZATION_METADATA,
  RAKOMI_WEBHOOK_METADATA,
} from './rakomi.constants.js';
export { RakomiAuthGuard } from './guards/index.js';
export { authenticateConnection, graphqlWsOnConnect } from './connections/index.js';
export {
  CurrentUser,
  Public,
  RakomiGuardMissingError,
  RakomiWebhook,
  RpcAuthorization,
  WebhookEvent,
  type RpcAuthorizationReader,
} from './decorators/index.js';
export { RakomiExceptionFilter, type RakomiErrorResponseBody } from './filters/index.js';
export { RAKOMI_REPORTING, type RakomiReporting } from './rakomi-reporting.js';
export { RakomiWebhookInterceptor, WEBHOOK_REPLAY_ACK } from './interceptors/index.js';
export type { RakomiOptionsFactory, RakomiRequest } from './interfaces/index.js';
// Authorization (issue 13)
export {
  CurrentTenant,
  RAKOMI_CLAIMS_METADATA,
  RAKOMI_TENANT_METADATA,
  RakomiAccessPolicy,
  RequireClaims,
  TenantScoped,
  checkAccess,
  httpTenantSource,
} from './access/index.js';
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
} from './access/index.js';
