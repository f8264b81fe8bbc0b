import { RakomiError } from '../errors/rakomi.error.js';

/**
 * 1–256 visible ASCII characters without `.`: the id is followed by `.` in the signed bytes, so
 * a dot inside it would let `id.ts` and `id'.ts'` sign the same string (delimiter confusion).
 */
const DELIVERY_ID = /^[\x21-\x2d\x2f-\x7e]{1,256}$/;
/** Whole Unix seconds, no sign, no leading zero, no fraction, no whitespace, ASCII digits only. */
const TIMESTAMP = /^[1-9][0-9]{0,11}$/;

/**
 * Step 3: the delivery id header, exactly as signed.
 * @throws RakomiError `webhook/invalid_signature`
 */
export function checkDeliveryId(value: string): string {
  if (!DELIVERY_ID.test(value)) throw new RakomiError('webhook/invalid_signature');
  return value;
}

/**
 * Step 3: the timestamp header, parsed only once the whole text is digits (no `parseInt` of a
 * prefix: `1614265330abc` is rejected, not read as `1614265330`).
 * @returns Unix seconds
 * @throws RakomiError `webhook/invalid_signature`
 */
export function parseTimestamp(value: string): number {
  if (!TIMESTAMP.test(value)) throw new RakomiError('webhook/invalid_signature');
  return Number(value);
}

/**
 * Step 4: `|now − timestamp| ≤ tolerance`, in whole seconds, in both directions (a far-future
 * timestamp would make a captured webhook replayable for years). The boundary passes; a clock
 * that returns a non-number fails closed.
 * @throws RakomiError `webhook/timestamp_expired`
 */
export function checkTolerance(timestampSeconds: number, nowMs: number, toleranceSeconds: number): void {
  const nowSeconds = Math.floor(nowMs / 1000);
  if (!(Math.abs(nowSeconds - timestampSeconds) <= toleranceSeconds)) {
    throw new RakomiError('webhook/timestamp_expired');
  }
}
