import { DEFAULT_RETRY_AFTER_SECONDS } from '../errors/error-headers.js';
import { RakomiError } from '../errors/rakomi.error.js';
import type { RakomiMetrics } from '../metrics/rakomi-metrics.js';
import type { ResolvedRakomiOptions } from '../options/resolved-options.interface.js';
import type { ReplayStore } from '../replay/replay-store.interface.js';
import { settleWithin } from '../replay/settle-within.js';
import type { RakomiWebhookEvent } from './rakomi-webhook-event.interface.js';
import { parseJsonObject, requireRawBody } from './webhook-body.js';
import { checkDeliveryId, checkTolerance, parseTimestamp } from './webhook-header-syntax.js';
import { readWebhookHeaders, type WebhookHeaders } from './webhook-headers.js';
import { WebhookMac } from './webhook-mac.js';
import { signatureMatches, v1Signatures } from './webhook-signature.js';

export type { WebhookHeaders } from './webhook-headers.js';

/** Seconds a claimed delivery is remembered beyond twice the tolerance. */
const REPLAY_MARGIN_SECONDS = 60;
/** Longest wait for any replay store's answer; a store that never settles must not hang the request. */
const REPLAY_CLAIM_DEADLINE_MS = 5_000;

/**
 * Verifies Rakomi webhooks (Standard Webhooks `v1` with the `X-Rakomi-*` headers) and
 * deduplicates deliveries through the configured replay store.
 *
 * @example
 * const event = webhooks.verify<UserCreated>(req.rawBody, req.headers);
 * if (await webhooks.claimDelivery(event)) await handle(event.payload); // else: replay, answer 200
 */
export class WebhookService {
  readonly #macs: readonly WebhookMac[];
  readonly #tolerance: number;
  readonly #maxBytes: number;
  readonly #now: () => number;
  readonly #replayStore: ReplayStore | false;
  readonly #replayTtl: number;
  /** Set by `RakomiClient` once a meter provider is found. @internal */
  metrics: RakomiMetrics | undefined;

  constructor(options: ResolvedRakomiOptions) {
    this.#macs = options.webhookKeys.map((key) => new WebhookMac(key));
    this.#tolerance = options.webhookTolerance;
    this.#maxBytes = options.webhookMaxBytes;
    this.#now = options.now;
    this.#replayStore = options.replayStore;
    this.#replayTtl = 2 * options.webhookTolerance + REPLAY_MARGIN_SECONDS;
  }

  /**
   * Checks a webhook from the raw body exactly as received and the request headers, in the
   * order of the scheme (the first failure decides the code), and parses its JSON body.
   * Does not record the delivery: call {@link claimDelivery} for that.
   * @throws RakomiError `config/missing_webhook_secret` (no secret configured),
   *   `webhook/invalid_body` (not raw bytes; 413 over `webhookMaxBytes`), `webhook/missing_header`,
   *   `webhook/invalid_signature`, `webhook/timestamp_expired`, `webhook/invalid_body` (not a JSON object)
   */
  verify<T = unknown>(rawBody: string | Buffer | Uint8Array, headers: WebhookHeaders): RakomiWebhookEvent<T> {
    try {
      return this.#check<T>(rawBody, headers);
    } catch (error) {
      this.metrics?.webhookDelivery({ error });
      throw error;
    }
  }

  #check<T>(rawBody: string | Buffer | Uint8Array, headers: WebhookHeaders): RakomiWebhookEvent<T> {
    if (this.#macs.length === 0) throw new RakomiError('config/missing_webhook_secret');
    // 1. raw body, within the size cap → webhook/invalid_body
    const body = requireRawBody(rawBody, this.#maxBytes);
    // 2. all three headers present and non-blank → webhook/missing_header
    // 3. no conflicting repeats, id and timestamp syntax → webhook/invalid_signature
    const values = readWebhookHeaders(headers);
    const deliveryId = checkDeliveryId(values.deliveryId);
    const timestamp = parseTimestamp(values.timestamp);
    // 4. timestamp within the tolerance, both directions → webhook/timestamp_expired
    checkTolerance(timestamp, this.#now(), this.#tolerance);
    // 5. a v1 entry matches under some secret → webhook/invalid_signature
    this.#verifySignature(`${deliveryId}.${values.timestamp}.`, body, values.signature);
    // 6. replay protection is claimDelivery()
    // 7. a UTF-8 JSON object → webhook/invalid_body
    const payload = parseJsonObject(body) as T;
    return { deliveryId, timestamp: new Date(timestamp * 1000), payload };
  }

  /**
   * Records a verified delivery in the replay store, keyed by delivery id and timestamp (a
   * genuine retry is re-signed with a new timestamp, so it is never blocked).
   * @returns `true` the first time, `false` for an exact replay (acknowledge it, do not handle
   *   it again); always `true` when `replayStore` is `false`
   * @throws RakomiError `webhook/replay_store_unavailable` (503) when the store fails, answers
   *   anything but a boolean or takes longer than 5 s: fail closed, the sender retries;
   *   RangeError for an event whose timestamp is not a valid date
   */
  async claimDelivery(event: RakomiWebhookEvent): Promise<boolean> {
    const first = await this.#claim(event);
    this.metrics?.webhookDelivery(first ? 'accepted' : 'replay');
    return first;
  }

  async #claim(event: RakomiWebhookEvent): Promise<boolean> {
    const store = this.#replayStore;
    if (store === false) return true;
    const seconds = Math.floor(event.timestamp.getTime() / 1000);
    if (!Number.isSafeInteger(seconds)) throw new RangeError('claimDelivery needs an event returned by verify()');
    let first: unknown;
    try {
      first = await settleWithin(
        () => store.claim(`${event.deliveryId}.${seconds}`, this.#replayTtl),
        REPLAY_CLAIM_DEADLINE_MS,
        () => new Error(`Replay store did not answer within ${REPLAY_CLAIM_DEADLINE_MS} ms`),
      );
    } catch (cause) {
      throw this.#unavailable(cause);
    }
    if (typeof first !== 'boolean') {
      throw this.#unavailable(new TypeError('ReplayStore.claim() must resolve to a boolean'));
    }
    return first;
  }

  /** `webhook/replay_store_unavailable` (503): fail closed, the sender retries. */
  #unavailable(cause: unknown): RakomiError {
    const error = new RakomiError('webhook/replay_store_unavailable', { cause, retryAfter: DEFAULT_RETRY_AFTER_SECONDS });
    this.metrics?.webhookDelivery({ error });
    return error;
  }

  /** One HMAC per secret, only when some entry could match. */
  #verifySignature(prefix: string, body: string | Uint8Array, header: string): void {
    const candidates = v1Signatures(header);
    if (candidates.length > 0) {
      for (const mac of this.#macs) {
        if (signatureMatches(candidates, mac.sign(prefix, body))) return;
      }
    }
    throw new RakomiError('webhook/invalid_signature');
  }
}
