// Issue 10 item 5: the post-parse scan, checked against secure-json-parse (Fastify's parser,
// installed with @nestjs/platform-fastify) on the same texts.
import { createRequire } from 'node:module';
import { stripPrototypeMembers } from '../../lib/json/strip-prototype-members.js';

const secureJson = createRequire(import.meta.url)('secure-json-parse') as {
  parse(text: string, reviver: null, options: object): unknown;
};

const TEXTS = [
  '{"a":1}',
  '{"__proto__":{"isAdmin":true},"a":1}',
  '{"\\u005f\\u005fproto__":{"isAdmin":true}}',
  '{"constructor":{"prototype":{"isAdmin":true}},"b":[1,{"__proto__":{"x":1}}]}',
  '{"constructor":"Acme","c":{"constructor":{"name":"x"}}}',
  '{"deep":{"deeper":[[{"constructor":{"prototype":null}}]]}}',
  '{"text":"mentions __proto__ and constructor only in a value"}',
];

describe('stripPrototypeMembers', () => {
  it.each(TEXTS)('%s → the same object as secure-json-parse with remove actions', (text) => {
    const ours = stripPrototypeMembers(JSON.parse(text) as object, text);
    const reference = secureJson.parse(text, null, { protoAction: 'remove', constructorAction: 'remove' });
    expect(JSON.stringify(ours)).toBe(JSON.stringify(reference));
    expect(Object.getPrototypeOf({ ...ours })).toBe(Object.prototype);
    expect(({ ...ours } as { isAdmin?: unknown }).isAdmin).toBeUndefined();
  });

  it('leaves a clean value untouched (same object, no scan)', () => {
    const value = { a: { b: 1 } };
    expect(stripPrototypeMembers(value, '{"a":{"b":1}}')).toBe(value);
  });
});
