import { readFileSync } from 'node:fs';

/** One published Standard Webhooks vector (webhook-scheme.md), with Rakomi's header values. */
export interface WebhookVector {
  secret: string;
  deliveryId: string;
  timestamp: string;
  body: string;
  signature: string;
}

/** test/fixtures/webhook-vectors.json: the published vectors and the signatures that must fail for the first. */
export const WEBHOOK_VECTORS = JSON.parse(readFileSync(new URL('../fixtures/webhook-vectors.json', import.meta.url), 'utf8')) as {
  vectors: WebhookVector[];
  failingSignaturesForFirstVector: string[];
};
