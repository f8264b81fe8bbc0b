import { bindMetrics } from '../metrics/bind-metrics.js';
import { resolveOptions } from '../options/resolve-options.js';
import type { RakomiModuleOptions } from '../options/rakomi-options.interface.js';
import type { ResolvedRakomiOptions } from '../options/resolved-options.interface.js';
import type { RakomiClaims } from '../token/rakomi-claims.interface.js';
import { TokenService } from '../token/token.service.js';
import { describeKeySet } from '../status/key-set-status.js';
import type { RakomiStatus } from '../status/rakomi-status.interface.js';
import { checkReplayStore } from '../status/replay-store-status.js';
import type { RakomiWebhookEvent } from '../webhook/rakomi-webhook-event.interface.js';
import { WebhookService, type WebhookHeaders } from '../webhook/webhook.service.js';

/**
 * Framework-free entry point: verifies Rakomi access tokens and signed webhooks.
 * Options are validated here, so a misconfiguration fails at start-up with its catalog error.
 *
 * @example
 * const rakomi = new RakomiClient({ apiKey: process.env.RAKOMI_API_KEY! });
 * const claims = await rakomi.verifyToken(token);
 */
export class RakomiClient {
  /** The validated options, defaults filled in. */
  readonly options: ResolvedRakomiOptions;
  readonly tokens: TokenService;
  readonly webhooks: WebhookService;
  /** Settles once OpenTelemetry metrics are bound (or known to be off). */
  private readonly metricsBound: Promise<void>;

  /**
   * @throws RakomiError `config/missing_api_key`, `config/invalid_base_url`,
   *   `config/invalid_webhook_secret`, `config/missing_webhook_secret` or `config/invalid_option`
   */
  constructor(options: RakomiModuleOptions) {
    this.options = resolveOptions(options);
    this.tokens = new TokenService(this.options);
    this.webhooks = new WebhookService(this.options);
    this.metricsBound = bindMetrics(this.tokens, this.webhooks);
  }

  /**
   * Fetches the JWK Set now (bounded by `jwks.timeout`) so the first request finds it warm; also
   * waits until OpenTelemetry metrics are bound. `RakomiModule` calls it at application bootstrap
   * as `jwks.preload` says.
   * @throws RakomiError `jwks/fetch_failed` or `jwks/invalid_response`; the stale-key and backoff
   *   machinery carry on either way
   */
  async ready(): Promise<void> {
    await this.metricsBound;
    await this.tokens.reload();
  }

  /**
   * What a health check needs: the key set's state (fresh / stale with its age / failing with the
   * last error code and the next retry) and whether the webhook replay store answers (Redis `PING`).
   * `healthy` is false only when tokens cannot be verified or the replay store is down.
   */
  async getStatus(): Promise<RakomiStatus> {
    const keySet = describeKeySet(this.tokens.keySetSnapshot());
    const replayStore = await checkReplayStore(this.options.replayStore);
    return { healthy: keySet.serving && replayStore.state !== 'down', keySet, replayStore };
  }

  /**
   * Verifies an RS256 access token against the JWKS and returns its claims.
   * @throws RakomiError `token/*` or `jwks/*`
   */
  verifyToken(token: string): Promise<RakomiClaims> {
    return this.tokens.verify(token);
  }

  /**
   * Verifies a signed webhook from its raw body bytes and headers.
   * @throws RakomiError `webhook/*` or `config/missing_webhook_secret`
   */
  verifyWebhook<T = unknown>(rawBody: string | Buffer | Uint8Array, headers: WebhookHeaders): RakomiWebhookEvent<T> {
    return this.webhooks.verify<T>(rawBody, headers);
  }

  /** Stops background JWKS refreshes so the process can exit. */
  close(): void {
    this.tokens.close();
  }
}
