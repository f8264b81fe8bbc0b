/** `type/subtype` of a Content-Type: token characters (RFC 9110 §8.3.1), parameters ignored. */
const MEDIA_TYPE = /^\s*([!#$%&'*+.^_`|~0-9a-z-]+)\/([!#$%&'*+.^_`|~0-9a-z-]+)\s*(?:;|$)/i;

/**
 * True when a `Content-Type` header names JSON: `application/json` or a `+json` structured
 * syntax suffix (RFC 6839), case-insensitive, parameters such as `charset` ignored. Absent,
 * repeated or anything else (`text/plain`, forms, multipart) is false.
 */
export function isJsonMediaType(contentType: string | string[] | undefined): boolean {
  if (typeof contentType !== 'string') return false;
  const match = MEDIA_TYPE.exec(contentType);
  if (match === null) return false;
  const type = match[1]!.toLowerCase();
  const subtype = match[2]!.toLowerCase();
  return type === 'application' && (subtype === 'json' || (subtype.endsWith('+json') && subtype.length > '+json'.length));
}
