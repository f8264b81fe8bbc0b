// fast-check arbitraries for tokens and Authorization headers (unit and HTTP fuzz suites).
import { Buffer } from 'node:buffer';
import fc from 'fast-check';
import { ERROR_CATALOG, RakomiError, type RakomiErrorCode } from '@rakomi/nestjs';

/** Runs per property: `FUZZ_RUNS` (a longer soak: `FUZZ_RUNS=20000 npm test -- fuzz`). */
export const FUZZ_RUNS = Math.max(1, Number(process.env.FUZZ_RUNS ?? 300) || 300);
/** Runs per property over HTTP (each run is a real request): a tenth, at least 20. */
export const HTTP_FUZZ_RUNS = Math.max(20, Math.floor(FUZZ_RUNS / 10));

/** Jest timeout of one property of `runs` runs, `msPerRun` each at worst (a soak must not time out). */
export function fuzzTimeout(runs: number, msPerRun: number): number {
  return 10_000 + runs * msPerRun;
}

/** fast-check parameters: the run count, and `FUZZ_SEED` to replay a failure. */
export function fuzzParameters(numRuns: number): fc.Parameters<unknown> {
  const seed = process.env.FUZZ_SEED;
  return { numRuns, ...(seed === undefined ? {} : { seed: Number(seed) }) };
}

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const b64url = (value: string | Buffer): string => Buffer.from(value).toString('base64url');

type Mutation = (token: string) => string;

function segments(token: string): string[] {
  return token.split('.');
}

/** Decodes a segment as JSON when it is one, else `undefined`. */
function decodeJson(segment: string): unknown {
  try {
    return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

/** Values a hostile header or payload member may take. */
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom('RS256', 'rs256', 'RS512', 'PS256', 'ES256', 'HS256', 'none', 'None', '', ' RS256', 'RS256\u0000'),
  fc.constantFrom(null, 0, 1, -1, true, false, [], {}, ['RS256'], { alg: 'RS256' }, 1e308, 2 ** 53),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.integer(),
);

/** One mutation of a compact token; several may be chained. */
export const tokenMutation: fc.Arbitrary<Mutation> = fc.oneof(
  // flip one character (to another base64url character, or anything)
  fc
    .tuple(fc.nat(), fc.oneof(fc.constantFrom(...B64URL), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })))
    .map(([at, char]): Mutation => (t) => {
      if (t.length === 0) return char;
      const i = at % t.length;
      return t.slice(0, i) + char + t.slice(i + 1);
    }),
  // insert / delete one character
  fc.tuple(fc.nat(), fc.constantFrom(...B64URL, '.', '=', ' ', '+', '/')).map(([at, char]): Mutation => (t) => {
    const i = at % (t.length + 1);
    return t.slice(0, i) + char + t.slice(i);
  }),
  fc.nat().map((at): Mutation => (t) => {
    if (t.length === 0) return t;
    const i = at % t.length;
    return t.slice(0, i) + t.slice(i + 1);
  }),
  // truncate
  fc.nat().map(
    (at): Mutation =>
      (t) =>
        t.slice(0, at % (t.length + 1)),
  ),
  // swap, drop, duplicate segments
  fc.tuple(fc.nat(4), fc.nat(4)).map(([a, b]): Mutation => (t) => {
    const s = segments(t);
    const i = a % s.length;
    const j = b % s.length;
    [s[i], s[j]] = [s[j]!, s[i]!];
    return s.join('.');
  }),
  fc.nat(4).map((at): Mutation => (t) => {
    const s = segments(t);
    s.splice(at % s.length, 1);
    return s.join('.');
  }),
  fc.nat(4).map((at): Mutation => (t) => {
    const s = segments(t);
    const i = at % s.length;
    s.splice(i, 0, s[i]!);
    return s.join('.');
  }),
  // pad or decorate a segment
  fc
    .tuple(fc.nat(4), fc.constantFrom('=', '==', '===', ' ', '\t', '%3D', '\n', '\r\n', '\u0000', '.'))
    .map(([at, pad]): Mutation => (t) => {
      const s = segments(t);
      const i = at % s.length;
      s[i] = s[i] + pad;
      return s.join('.');
    }),
  // re-encode a segment: standard base64 (+ / =), or hex, or raw decoded text
  fc.tuple(fc.nat(4), fc.constantFrom<BufferEncoding>('base64', 'hex', 'latin1')).map(([at, encoding]): Mutation => (t) => {
    const s = segments(t);
    const i = at % s.length;
    s[i] = Buffer.from(s[i]!, 'base64url').toString(encoding);
    return s.join('.');
  }),
  // re-serialise the header or payload JSON (same members, other text): not what was signed
  fc.tuple(fc.nat(1), fc.constantFrom(' ', '\t', '\n')).map(([at, space]): Mutation => (t) => {
    const s = segments(t);
    const value = decodeJson(s[at] ?? '');
    if (value === undefined) return t;
    s[at] = b64url(JSON.stringify(value, null, space));
    return s.join('.');
  }),
  fc.nat(1).map((at): Mutation => (t) => {
    const s = segments(t);
    const value = decodeJson(s[at] ?? '');
    if (typeof value !== 'object' || value === null) return t;
    s[at] = b64url(JSON.stringify(Object.fromEntries(Object.entries(value).reverse())));
    return s.join('.');
  }),
  // edit one member of the header or payload and re-encode (never re-signed)
  fc
    .tuple(
      fc.nat(1),
      fc.constantFrom(
        'alg',
        'kid',
        'typ',
        'crit',
        'cty',
        'jku',
        'jwk',
        'x5u',
        'b64',
        'sub',
        'exp',
        'iat',
        'nbf',
        'iss',
        'aud',
        'tenant_id',
        '__proto__',
      ),
      hostileValue,
      fc.boolean(),
    )
    .map(([at, member, value, remove]): Mutation => (t) => {
      const s = segments(t);
      const decoded = decodeJson(s[at] ?? '');
      if (typeof decoded !== 'object' || decoded === null || Array.isArray(decoded)) return t;
      const edited: Record<string, unknown> = { ...(decoded as Record<string, unknown>) };
      if (remove) delete edited[member];
      else edited[member] = value;
      const text =
        member === '__proto__' && !remove
          ? JSON.stringify(edited).replace(/^\{/, `{"__proto__":${JSON.stringify(value) ?? 'null'},`)
          : JSON.stringify(edited);
      s[at] = b64url(text);
      return s.join('.');
    }),
  // edit the protected header's key-selection members (kept apart so they are hit often)
  fc.tuple(fc.constantFrom('alg', 'kid', 'crit', 'cty', 'typ'), hostileValue).map(([member, value]): Mutation => (t) => {
    const s = segments(t);
    const decoded = decodeJson(s[0] ?? '');
    if (typeof decoded !== 'object' || decoded === null || Array.isArray(decoded)) return t;
    s[0] = b64url(JSON.stringify({ ...(decoded as Record<string, unknown>), [member]: value }));
    return s.join('.');
  }),
  // case flip of one character
  fc.nat().map((at): Mutation => (t) => {
    if (t.length === 0) return t;
    const i = at % t.length;
    const c = t[i]!;
    const flipped = c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase();
    return t.slice(0, i) + flipped + t.slice(i + 1);
  }),
  // whitespace around, URL-encoding
  fc.constantFrom<Mutation>(
    (t) => ` ${t}`,
    (t) => `${t} `,
    (t) => `${t}\n`,
    (t) => encodeURIComponent(t).replace(/\./g, '%2E'),
    (t) => `${t}${t}`,
    (t) => t.repeat(20),
  ),
);

/** A valid token from `pool`, or one with 1–4 chained mutations, or segments mixed across tokens. */
export function mutatedToken(pool: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 1, arbitrary: fc.constantFrom(...pool) },
    {
      weight: 6,
      arbitrary: fc
        .tuple(fc.constantFrom(...pool), fc.array(tokenMutation, { minLength: 1, maxLength: 4 }))
        .map(([token, mutations]) => mutations.reduce((acc, mutate) => mutate(acc), token)),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.constantFrom(...pool), fc.constantFrom(...pool), fc.constantFrom(...pool))
        .map(([a, b, c]) => `${a.split('.')[0]}.${b.split('.')[1]}.${c.split('.')[2]}`),
    },
  );
}

/** A JSON object header with arbitrary members, some of them plausible. */
const jsonHeader: fc.Arbitrary<string> = fc
  .record(
    {
      alg: fc.oneof(fc.constant('RS256'), hostileValue),
      kid: fc.oneof(fc.constantFrom('rk-1', 'rk-2'), hostileValue),
      typ: fc.constant('JWT'),
    },
    { requiredKeys: [] },
  )
  .map((header) => b64url(JSON.stringify(header)));

/** One segment: base64url noise, arbitrary text, encoded JSON values, plausible headers. */
const segment: fc.Arbitrary<string> = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9_-]{0,80}$/),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.jsonValue({ maxDepth: 3 }).map((value) => b64url(JSON.stringify(value) ?? 'null')),
  jsonHeader,
  fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes).toString('base64url')),
);

/** Tokens made of 1–5 random segments. */
export const randomToken: fc.Arbitrary<string> = fc.array(segment, { minLength: 1, maxLength: 5 }).map((parts) => parts.join('.'));

/** Authorization header values: random text, scheme variants around real or random credentials. */
export function authorizationValue(pool: readonly string[]): fc.Arbitrary<string> {
  const scheme = fc.constantFrom('Bearer', 'bearer', 'BEARER', 'BeArEr', 'Bearer:', 'Basic', 'Token', 'JWT', '', 'Bearer\u00a0');
  const gap = fc.constantFrom(' ', '  ', '\t', '', ' \t ', ',', ':');
  const credential = fc.oneof(mutatedToken(pool), randomToken, fc.constant(''));
  return fc.oneof(
    fc.string({ maxLength: 60 }),
    fc.string({ unit: 'binary', maxLength: 60 }),
    fc
      .tuple(fc.constantFrom(' ', '', '\t'), scheme, gap, credential, fc.constantFrom('', ' ', '\t', ' x', ', Basic x'))
      .map((parts) => parts.join('')),
  );
}

/** What a successful verification of `value` requires: a bearer header around a pool token. */
export function bearerCredential(value: string): string | undefined {
  const match = /^[ \t]*bearer[ \t]+([^ \t]+)[ \t]*$/i.exec(value);
  return match?.[1];
}

/** Asserts `error` is a catalog RakomiError with its catalog message and (unless overridden) status. */
export function expectCatalogError(error: unknown, allowed: (code: RakomiErrorCode) => boolean): RakomiError {
  if (!(error instanceof RakomiError)) throw new Error(`not a RakomiError: ${String(error)}`);
  if (!Object.hasOwn(ERROR_CATALOG, error.code)) throw new Error(`not a catalog code: ${error.code}`);
  if (!allowed(error.code)) throw new Error(`unexpected code ${error.code}`);
  if (error.message !== ERROR_CATALOG[error.code].message) throw new Error(`message is not the catalog text for ${error.code}`);
  return error;
}

/** Settles `promise`, failing if it takes longer than `ms` (a hang). */
export async function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Text that leaks `token`: the token itself and each of its segments of 16+ characters. */
export function tokenLeaks(token: string): string[] {
  if (token.length < 16) return [];
  return [token, ...token.split('.').filter((part) => part.length >= 16)];
}
