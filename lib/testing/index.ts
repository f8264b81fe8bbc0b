// '@rakomi/nestjs/testing': a real local issuer for tests. Never imported by the core or by lib/nest.
export {
  RakomiTestIssuer,
  base64url,
  type BadTokenKind,
  type RakomiTestIssuerOptions,
  type RawSignOptions,
  type RecordedRequest,
  type TestJwksFault,
  type TestJwksHandler,
  type TestSigningKey,
  type TestTokenOptions,
} from './rakomi-test-issuer.js';
export { signWebhook, webhookSignature, type SignWebhookOptions, type SignedWebhook } from './webhook-signer.js';
