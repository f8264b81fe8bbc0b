import type { RakomiClient } from '../client/rakomi.client.js';
import type { RakomiErrorCode } from '../errors/error-catalog.js';
import { isRakomiError } from '../errors/rakomi.error.js';
import { parseTimestamp } from '../webhook/webhook-header-syntax.js';
import { WEBHOOK_HEADER } from '../webhook/webhook-headers.js';
import { describeTime, errorOf, stepsUpTo, type ExplainReport } from './explain-report.js';

/** The checks of `WebhookService.verify`, in its order. */
export const WEBHOOK_STEPS = [
  'raw body within the size limit',
  'X-Rakomi-Delivery-Id, -Timestamp and -Signature present',
  'delivery id and timestamp syntax',
  'timestamp within the tolerance',
  'signature (v1, HMAC-SHA256) under a configured secret',
  'body is a JSON object',
] as const;

const STEP_OF: Partial<Record<RakomiErrorCode, number>> = {
  'config/missing_webhook_secret': 0,
  'webhook/missing_header': 1,
  'webhook/timestamp_expired': 3,
};

function failedStep(code: RakomiErrorCode, body: Buffer, headers: Record<string, string>): number {
  if (code === 'webhook/invalid_signature') {
    try {
      parseTimestamp(headers[WEBHOOK_HEADER.timestamp] ?? '');
      return 4;
    } catch {
      return 2;
    }
  }
  if (code === 'webhook/invalid_body') {
    try {
      JSON.parse(body.toString('utf8'));
      return 0;
    } catch {
      return 5;
    }
  }
  return STEP_OF[code] ?? WEBHOOK_STEPS.length - 1;
}

/**
 * Verifies a webhook delivery (exact body bytes and its headers) with the client's real
 * `WebhookService` and explains the outcome step by step. The signature header is not reported.
 */
export function explainWebhook(client: RakomiClient, body: Buffer, headers: Record<string, string>, nowMs: number): ExplainReport {
  let failure: unknown;
  try {
    client.verifyWebhook(body, headers);
  } catch (error) {
    if (!isRakomiError(error)) throw error;
    failure = error;
  }
  const id = headers[WEBHOOK_HEADER.deliveryId];
  const timestamp = headers[WEBHOOK_HEADER.timestamp];
  const time = describeTime(Number(timestamp), nowMs);
  return {
    ok: failure === undefined,
    steps: stepsUpTo(WEBHOOK_STEPS, isRakomiError(failure) ? failedStep(failure.code, body, headers) : undefined),
    header: {
      ...(id === undefined ? {} : { [WEBHOOK_HEADER.deliveryId]: id }),
      ...(timestamp === undefined ? {} : { [WEBHOOK_HEADER.timestamp]: timestamp }),
    },
    ...(time === undefined ? {} : { times: { timestamp: time } }),
    ...(failure === undefined ? {} : { error: errorOf(failure) }),
  };
}
