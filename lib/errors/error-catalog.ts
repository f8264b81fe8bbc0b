/** One entry of the error catalog: the fixed texts and the HTTP status of a code. */
export interface CatalogEntry {
  /** Catalog message, reproduced exactly. */
  readonly message: string;
  /** What the caller should do about it. */
  readonly suggestion: string;
  /** A copy-paste command, where the catalog has one. */
  readonly fixCommand?: string;
  /** HTTP status the Nest filter answers with. */
  readonly status: number;
  /** True for codes this SDK adds to the published catalog. */
  readonly extension?: true;
}

/**
 * Every error code the SDK raises, with its exact catalog texts.
 * The 22 published codes come first; extensions are marked `extension: true`.
 */
export const ERROR_CATALOG = {
  'token/expired': {
    message: 'Token has expired',
    suggestion: 'Request a new access token via refresh token endpoint',
    status: 401,
  },
  'token/invalid_signature': {
    message: 'Token signature verification failed',
    suggestion: 'Ensure the token was issued by Rakomi and has not been tampered with',
    status: 401,
  },
  'token/malformed': {
    message: 'Token is not a valid JWT format',
    suggestion: 'Ensure you are passing a complete JWT string (header.payload.signature)',
    status: 401,
  },
  'token/invalid_algorithm': {
    message: 'Unsupported algorithm. Only RS256 is allowed',
    suggestion: 'Rakomi tokens use RS256. Do not attempt to use HS256 or other algorithms',
    status: 401,
  },
  'token/missing_claims': {
    message: 'Required claims missing (sub, tenant_id, email, sid, iss, aud, exp, iat, jti)',
    suggestion: 'Ensure the token was issued by Rakomi login/refresh endpoints',
    status: 401,
  },
  'token/invalid_issuer': {
    message: 'Token issuer mismatch',
    suggestion: 'Token must be issued by rakomi.com. Verify you are using the correct environment',
    status: 401,
  },
  'token/not_yet_valid': {
    message: 'Token nbf (not before) is in the future',
    suggestion: 'Check system clock synchronization or increase clockTolerance in SDK config',
    fixCommand: 'new RakomiClient({ apiKey: "...", clockTolerance: 60 })',
    status: 401,
  },
  'token/missing': {
    message: 'Authorization header with Bearer token is required',
    suggestion: 'Include an Authorization header: Bearer <token>',
    status: 401,
  },
  'token/internal_error': {
    message: 'An internal error occurred during token verification',
    suggestion: 'This is unexpected. Please retry or contact support',
    status: 500,
  },
  'jwks/fetch_failed': {
    message: 'Failed to fetch JWKS',
    suggestion: 'Check network connectivity and that baseUrl is correct',
    fixCommand: 'curl https://api.rakomi.com/.well-known/jwks.json',
    status: 503,
  },
  'jwks/no_matching_key': {
    message: 'No key in JWKS matches token kid',
    suggestion: 'The signing key may have been rotated. This is transient during key rotation — retry in a few seconds',
    status: 401,
  },
  'jwks/invalid_response': {
    message: 'JWKS response is not a valid JSON Web Key Set',
    suggestion: 'Ensure baseUrl points to a valid Rakomi instance',
    status: 503,
  },
  'webhook/timestamp_expired': {
    message: 'Webhook timestamp is too old (exceeds tolerance)',
    suggestion: 'Ensure your server clock is synchronized. The webhook may be a replay attack',
    status: 400,
  },
  'webhook/invalid_signature': {
    message: 'Webhook HMAC signature verification failed',
    suggestion: 'Verify the webhook secret matches the one in your Rakomi dashboard',
    status: 400,
  },
  'webhook/missing_header': {
    message: 'Required webhook headers missing (X-Rakomi-Signature, X-Rakomi-Timestamp, X-Rakomi-Delivery-Id)',
    suggestion: 'Ensure you are passing the raw request headers to verifyWebhook()',
    status: 400,
  },
  'webhook/invalid_body': {
    message: 'Webhook body is not valid JSON',
    suggestion: 'Use express.raw() or express.text() middleware to preserve the raw body for webhook routes',
    status: 400,
  },
  'config/missing_api_key': {
    message: 'apiKey is required',
    suggestion: 'Pass your API key when creating the client',
    fixCommand: 'new RakomiClient({ apiKey: "akm_live_xxx" })',
    status: 500,
  },
  'config/invalid_base_url': {
    message: 'baseUrl must be a valid HTTPS URL',
    suggestion: 'Use a full URL including protocol, e.g., https://api.rakomi.com',
    status: 500,
  },
  'config/missing_webhook_secret': {
    message: 'webhookSecret is required for webhook verification',
    suggestion: 'Pass your webhook signing key in config',
    fixCommand: 'new RakomiClient({ apiKey: "...", webhookSecret: "whsec_xxx" })',
    status: 500,
  },
  'auth/token_expired': {
    message: 'Access token has expired',
    suggestion: 'Use the refresh token to obtain a new access token',
    status: 401,
  },
  'auth/invalid_credentials': {
    message: 'Invalid email or password',
    suggestion: 'Check your credentials and try again',
    status: 401,
  },
  'auth/email_not_verified': {
    message: 'Email address has not been verified',
    suggestion: 'Check your inbox for the verification email or request a new one',
    status: 403,
  },
  'token/invalid_audience': {
    message: 'Token audience mismatch',
    suggestion: 'Ensure the token was issued for this API. Check the audience option in SDK config',
    status: 401,
    extension: true,
  },
  'config/invalid_webhook_secret': {
    message: 'webhookSecret must be whsec_ followed by the base64 of 24 to 64 bytes',
    suggestion: 'Copy the webhook signing key exactly as shown in your Rakomi dashboard',
    fixCommand: 'new RakomiClient({ apiKey: "...", webhookSecret: "whsec_xxx" })',
    status: 500,
    extension: true,
  },
  'webhook/replay_store_unavailable': {
    message: 'Webhook replay store is unavailable',
    suggestion: 'The delivery was not processed and will be retried by the sender. Check that the replay store (e.g. Redis) is reachable',
    status: 503,
    extension: true,
  },
  'webhook/unsupported_media_type': {
    message: 'Webhook delivery must be application/json',
    suggestion: 'Rakomi sends webhook deliveries as application/json; send only Rakomi deliveries to this route',
    status: 415,
    extension: true,
  },
  'webhook/raw_body_unavailable': {
    message: 'Webhook raw body was not kept by the server',
    suggestion:
      'Create the Nest app with rawBody: true (NestFactory.create(AppModule, { rawBody: true }), or with new FastifyAdapter() as second argument on Fastify) so the signature is checked over the exact bytes',
    status: 500,
    extension: true,
  },
  'config/invalid_option': {
    message: 'Invalid SDK option',
    suggestion: 'Check the option name, type and range against the configuration reference',
    status: 500,
    extension: true,
  },
  'access/tenant_mismatch': {
    message: 'The access token is not valid for the tenant this request names',
    suggestion: "Use a token issued for that tenant, or address the token's own tenant (its tenant_id claim)",
    status: 403,
    extension: true,
  },
  'access/insufficient_claims': {
    message: 'The access token lacks the claims this route requires',
    suggestion: 'Sign in with an account that has the required role, permission or verified e-mail, then retry with the new token',
    status: 403,
    extension: true,
  },
} as const satisfies Record<string, CatalogEntry>;

/** Every code the SDK can raise. */
export type RakomiErrorCode = keyof typeof ERROR_CATALOG;

/** Base of the documentation page of each code: `<base><code>`. */
export const ERROR_DOCS_BASE_URL = 'https://rakomi.com/docs/errors/';
