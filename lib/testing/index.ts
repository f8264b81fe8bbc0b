// '@rakomi/nestjs/testing': a real local issuer for tests. Never imported by the core or by lib/nest.
export {
  RakomiTestIssuer,
  base64url,
  type BadTokenKind,
  type IssuerWebhookOptions,
  type RakomiTestIssuerOptions,
  type RawSignOptions,
  type RecordedRequest,
  type TestJwksFault,
  type TestJwksHandler,
  type TestSigningKey,
  type TestTokenOptions,
} from './rakomi-test-issuer.js';
export { signWebhook, webhookSignature, type SignWebhookOptions, type SignedWebhook } from './webhook-signer.js';
// The Nest helpers load @nestjs/*; the issuer above does not.
export { RakomiLocalModule, useRakomiTestIssuer, type ProviderOverridingBuilder, type RakomiLocalModuleOptions } from './nest/index.js';
