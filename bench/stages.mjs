// Where the time of one uncached verification goes: each stage of TokenService, timed alone on
// the built package's internals (dist/). A diagnostic, not part of `npm run bench`:
//   npm run build && taskset -c 0 node bench/stages.mjs
import * as crypto from 'node:crypto';
import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { DIST, ROOT, startIssuer } from './lib/issuer.mjs';
import { ourClient } from './lib/ours.mjs';
import { measure } from './lib/timing.mjs';

const d = (p) => import(pathToFileURL(DIST + p).href);
const { parseCompactJws, decodeJsonObjectSegment } = await d('token/compact-jws.js');
const { checkClaimsShape, checkClaimsTime, deepFreeze } = await d('token/token-claims.js');
const { extractBearerToken } = await d('token/bearer.js');
const { VerifiedTokenCache } = await d('token/verified-token.cache.js');
const { authorizationHeaders } = await d('nest/utils/http-request.util.js');

const { issuer } = await startIssuer();
const token = issuer.token();
const c = await ourClient(issuer.moduleOptions({ tokenCache: false }));
const cached = await ourClient(issuer.moduleOptions());
await c.verifyToken(token);
await cached.verifyToken(token);
const options = c.client.options;
const store = c.client.tokens.keys; // private field, read for the diagnostic only
const parsed = parseCompactJws(token);
const key = store.resolve(parsed.kid);
const signingInput = Buffer.from(parsed.signingInput, 'latin1');
const payload = () => decodeJsonObjectSegment(parsed.payloadSegment);
const claims = checkClaimsShape(payload(), options);
const cache = new VerifiedTokenCache(10_000, 300_000);
const digest = cache.keyOf(token);
cache.set(digest, { claims, kid: parsed.kid, key, storedAt: Date.now() });
const header = 'Bearer ' + token;
const rawHeaders = ['Host', '127.0.0.1:3000', 'Authorization', header, 'Connection', 'keep-alive'];
// A request object as Express 5 makes it: an IncomingMessage whose prototype is set to
// app.request (Object.setPrototypeOf), which makes every property added to it later slow.
const appRequest = createRequire(ROOT + 'package.json')('express')().request;
const socket = new Socket();
const message = () => {
  const m = new IncomingMessage(socket);
  m.rawHeaders = rawHeaders;
  Object.setPrototypeOf(m, appRequest);
  m.baseUrl = '';
  m.originalUrl = '/me';
  return m;
};
const RAKOMI_CLAIMS = Symbol.for('rakomi.claims');
const claimsByRequest = new WeakMap();
const verifiedSet = new WeakSet();

const q = process.env.BENCH_QUICK === '1';
const tasks = [
  ['extractBearerToken', () => extractBearerToken([header])],
  ['Express request (baseline for the rows below)', () => message()],
  ['  + req.headers.authorization', () => message().headers.authorization],
  ['  + req.headersDistinct.authorization (the guard before 11a1d29)', () => message().headersDistinct.authorization],
  ['  + authorizationHeaders(req) (as built: from rawHeaders)', () => authorizationHeaders(message())],
  [
    '  + req.user = claims',
    () => {
      message().user = claims;
    },
  ],
  [
    '  + req[Symbol.for(rakomi.claims)] = claims; req.user = claims (attachClaims before 11a1d29)',
    () => {
      const m = message();
      m[RAKOMI_CLAIMS] = claims;
      m.user = claims;
    },
  ],
  [
    '  + weakMap.set(req, claims); req.user = claims (attachClaims as built)',
    () => {
      const m = message();
      claimsByRequest.set(m, claims);
      m.user = claims;
    },
  ],
  [
    '  + candidate: weakSet.add(claims); req.user = claims',
    () => {
      const m = message();
      verifiedSet.add(claims);
      m.user = claims;
    },
  ],
  ['digest: createHash(sha256).update().digest(base64) (before 11a1d29)', () => crypto.createHash('sha256').update(token).digest('base64')],
  ['digest: crypto.hash(sha256, token, base64) (a token not seen just before)', () => crypto.hash('sha256', token, 'base64')],
  ['digest: cache.keyOf(token) (the same token again: memoised)', () => cache.keyOf(token)],
  [
    'cache.get + keys.peek + checkClaimsTime (hit path)',
    () => {
      const e = cache.get(digest, Date.now());
      if (store.peek(e.kid) !== e.key) throw new Error('peek');
      checkClaimsTime(e.claims, Date.now(), 5);
    },
  ],
  ['parseCompactJws (split, base64url checks, header JSON)', () => parseCompactJws(token)],
  ['keys.resolve(kid) (warm)', () => store.resolve(parsed.kid)],
  [
    'Buffer.from(signingInput) + crypto.verify (RSA-2048)',
    () => crypto.verify('sha256', Buffer.from(parsed.signingInput, 'latin1'), key.keyObject, parsed.signature),
  ],
  ['crypto.verify only', () => crypto.verify('sha256', signingInput, key.keyObject, parsed.signature)],
  ['decodeJsonObjectSegment(payload) (base64url, isUtf8, JSON.parse)', payload],
  ['checkClaimsShape', () => checkClaimsShape(claims, options)],
  ['decode payload + deepFreeze', () => deepFreeze(payload())],
  ['TokenService.verify, tokenCache off (whole)', () => c.verifyToken(token), true],
  ['TokenService.verify, cache hit (whole)', () => cached.verifyToken(token), true],
  ['TokenService.verifyAuthorizationHeader, cache hit', () => cached.client.tokens.verifyAuthorizationHeader([header]), true],
].map(([name, fn, async]) => ({ name, fn, async }));
const res = await measure(tasks, q ? { warmupMs: 200, sampleMs: 200, rounds: 3 } : { warmupMs: 500, sampleMs: 400, rounds: 5 });
console.log('stage | ops/s | µs/op\n---|---:|---:');
for (const [name, r] of Object.entries(res))
  console.log(`${name} | ${Math.round(r.opsPerSec).toLocaleString('en-US')} | ${(1e6 / r.opsPerSec).toFixed(2)}`);
c.close();
cached.close();
await issuer.close();
