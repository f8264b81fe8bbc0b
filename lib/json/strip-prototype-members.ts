import secureJson from 'secure-json-parse';

/**
 * Cheap pre-check on the JSON text: a `__proto__` or `constructor` member can only be present if
 * the text spells it, or hides it behind a `\u` escape. Most payloads skip the scan.
 */
const SUSPECT = /__proto__|constructor|\\u/;
const REMOVE = { protoAction: 'remove', constructorAction: 'remove' } as const;

/**
 * Removes `__proto__` members and `constructor` members holding a `prototype` object, at any
 * depth, from a value `JSON.parse` produced from `text` (secure-json-parse semantics with
 * `protoAction: 'remove'`, `constructorAction: 'remove'`). `JSON.parse` keeps `"__proto__"` as an
 * own member, so app code copying the value (`{ ...user }`, `Object.assign`) would otherwise set
 * the copy's prototype. Mutates and returns `value`.
 *
 * Parsing stays `JSON.parse` (secure-json-parse's own `parse` strips a BOM, which the token and
 * webhook parsers refuse on purpose); only its scan is used, behind the pre-check above.
 */
export function stripPrototypeMembers<T extends object>(value: T, text: string): T {
  if (SUSPECT.test(text)) secureJson.scan(value, REMOVE);
  return value;
}
