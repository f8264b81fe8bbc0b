/**
 * A webhook whose signature, timestamp and body were verified.
 *
 * @example
 * const event = webhooks.verify<UserCreated>(req.rawBody, req.headers);
 * if (await webhooks.claimDelivery(event)) await handle(event.payload);
 */
export interface RakomiWebhookEvent<T = unknown> {
  /** `X-Rakomi-Delivery-Id`: the same on every retry of one event to one endpoint. */
  deliveryId: string;
  /** `X-Rakomi-Timestamp`: when this attempt was signed (whole seconds). */
  timestamp: Date;
  /** The JSON object of the body, parsed from the exact bytes that were signed. */
  payload: T;
}
