import type { RakomiLogger } from '../options/rakomi-logger.interface.js';

/**
 * What the exception filter and the webhook interceptor use of the module's options: the logger
 * (`undefined` with `logger: false`) and the realm of the RFC 6750 challenge.
 */
export interface RakomiReporting {
  readonly logger: RakomiLogger | undefined;
  readonly realm: string;
}

/** Injection token of the module's {@link RakomiReporting}. */
export const RAKOMI_REPORTING = Symbol.for('rakomi.reporting');
