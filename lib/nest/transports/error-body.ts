import type { RakomiError } from '../../errors/rakomi.error.js';

/** The catalog body of every Rakomi error answer, whatever the transport. */
export type RakomiErrorResponseBody = { statusCode: number } & ReturnType<RakomiError['toJSON']>;

/** `{ statusCode, code, message, suggestion, docs_url, fix_command? }`: never a cause, stack or request data. */
export function errorBody(error: RakomiError): RakomiErrorResponseBody {
  return { statusCode: error.status, ...error.toJSON() };
}
