import { RakomiError } from '../errors/rakomi.error.js';

const MAX_DELIVERY_ID_LENGTH = 256;
const MAX_TIMESTAMP_DIGITS = 12;
const FIRST_VISIBLE = 0x21; // "!"
const LAST_VISIBLE = 0x7e; // "~"
const DOT = 0x2e;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;

/**
 * Step 3: the delivery id header, exactly as signed: 1–256 visible ASCII characters without
 * `.`. The id is followed by `.` in the signed bytes, so a dot inside it would let two different
 * (id, timestamp) pairs sign the same string (delimiter confusion).
 * Same as `/^[\x21-\x2d\x2f-\x7e]{1,256}$/`, written as a loop because it runs on every request.
 * @throws RakomiError `webhook/invalid_signature`
 */
export function checkDeliveryId(value: string): string {
  if (value.length === 0 || value.length > MAX_DELIVERY_ID_LENGTH) throw new RakomiError('webhook/invalid_signature');
  for (let i = 0; i < value.length; i += 1) {
    const code = value.charCodeAt(i);
    if (code < FIRST_VISIBLE || code > LAST_VISIBLE || code === DOT) throw new RakomiError('webhook/invalid_signature');
  }
  return value;
}

/**
 * Step 3: the timestamp header: whole Unix seconds as 1–12 ASCII digits without a leading zero
 * (`/^[1-9][0-9]{0,11}$/`): no sign, fraction, exponent, whitespace or other digit scripts. The
 * whole text is checked before it is read, so `1614265330abc` is rejected, not read as
 * `1614265330` the way `parseInt` would.
 * @returns Unix seconds
 * @throws RakomiError `webhook/invalid_signature`
 */
export function parseTimestamp(value: string): number {
  if (value.length === 0 || value.length > MAX_TIMESTAMP_DIGITS) throw new RakomiError('webhook/invalid_signature');
  let seconds = 0;
  for (let i = 0; i < value.length; i += 1) {
    const code = value.charCodeAt(i);
    const lowest = i === 0 ? DIGIT_0 + 1 : DIGIT_0;
    if (code < lowest || code > DIGIT_9) throw new RakomiError('webhook/invalid_signature');
    seconds = seconds * 10 + (code - DIGIT_0);
  }
  return seconds;
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
