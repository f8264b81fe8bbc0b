// An independent reference for what our parsers return: `JSON.parse` with `__proto__` members, and
// `constructor` members holding a `prototype`, removed at any depth (secure-json-parse's 'remove').

/** A `JSON.parse` reviver that drops the members our token and webhook parsers strip. */
export function withoutPrototypeMembers(key: string, value: unknown): unknown {
  if (key === '__proto__') return undefined;
  if (key === 'constructor' && typeof value === 'object' && value !== null && Object.hasOwn(value, 'prototype')) return undefined;
  return value;
}
