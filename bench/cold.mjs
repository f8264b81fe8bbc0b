// Cold start and unknown-kid flood: how many JWKS fetches each verifier makes. Prints one JSON line.
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { ROOT, startIssuer } from './lib/issuer.mjs';
import { ourClient } from './lib/ours.mjs';
import { signMany } from './lib/sign-many.mjs';

const quick = process.env.BENCH_QUICK === '1';
const CONCURRENT = Number(process.env.BENCH_COLD_CONCURRENCY ?? 1000);
const FLOOD = Number(process.env.BENCH_FLOOD_KIDS ?? 1000);
const FLOOD_MS = Number(process.env.BENCH_FLOOD_MS ?? (quick ? 1000 : 2000));
const rootRequire = createRequire(ROOT + 'package.json');
const benchRequire = createRequire(import.meta.url);
const jose = await import(pathToFileURL(rootRequire.resolve('jose')).href);
const { passportJwtSecret } = benchRequire('jwks-rsa');
const jsonwebtoken = benchRequire('jsonwebtoken');
const { auth } = benchRequire('express-oauth2-jwt-bearer');

const { kind, issuer } = await startIssuer();
const verifyOptions = { issuer: issuer.issuer, audience: issuer.audience, algorithms: ['RS256'] };
const tokens = await signMany(issuer, CONCURRENT);
const floodTokens = Array.from({ length: FLOOD }, () => issuer.token(undefined, { kid: randomUUID() }));

/** Each verifier: make() → { verify(token): Promise, close() }. A fresh one per scenario (empty cache). */
const verifiers = {
  ours: async () => {
    const c = await ourClient(issuer.moduleOptions());
    return c && { verify: c.verifyToken, close: c.close };
  },
  'jose createRemoteJWKSet': async () => {
    const jwks = jose.createRemoteJWKSet(new URL(issuer.jwksUrl));
    return { verify: (t) => jose.jwtVerify(t, jwks, verifyOptions), close() {} };
  },
  'jwks-rsa (passport recipe)': async () => {
    // exactly what passport-jwt calls: the secretOrKeyProvider, then jsonwebtoken.verify
    const provider = passportJwtSecret({ cache: true, rateLimit: true, jwksRequestsPerMinute: 5, jwksUri: issuer.jwksUrl });
    const verify = (t) =>
      new Promise((resolve, reject) =>
        provider(null, t, (err, key) => {
          if (err || !key) return reject(err ?? new Error('no key'));
          try {
            resolve(jsonwebtoken.verify(t, key, verifyOptions));
          } catch (e) {
            reject(e);
          }
        }),
      );
    return { verify, close() {} };
  },
  'express-oauth2-jwt-bearer': async () => {
    const mw = auth({ jwksUri: issuer.jwksUrl, issuer: issuer.issuer, audience: issuer.audience, tokenSigningAlg: 'RS256' });
    const verify = (t) =>
      new Promise((resolve, reject) => {
        const req = {
          headers: { authorization: 'Bearer ' + t, host: 'localhost' },
          protocol: 'http',
          url: '/me',
          originalUrl: '/me',
          method: 'GET',
          query: {},
          body: undefined,
          is: () => false,
          get: (h) => (h.toLowerCase() === 'host' ? 'localhost' : undefined),
        };
        mw(req, {}, (err) => (err ? reject(err) : resolve(req.auth.payload)));
      });
    return { verify, close() {} };
  },
};

const settle = (ms) => new Promise((r) => setTimeout(r, ms));
const results = {};
for (const [name, make] of Object.entries(verifiers)) {
  const v = await make();
  if (!v) continue;
  // 1. cold start: N concurrent verifications of distinct valid tokens on an empty cache
  issuer.resetHits();
  const t0 = performance.now();
  const cold = await Promise.allSettled(tokens.map((t) => v.verify(t)));
  const coldMs = performance.now() - t0;
  await settle(50);
  const coldFetches = issuer.hits;
  const coldOk = cold.filter((r) => r.status === 'fulfilled').length;
  // 2. unknown-kid flood on the now-warm verifier: FLOOD random kids spread over FLOOD_MS
  issuer.resetHits();
  const pending = [];
  const gap = FLOOD_MS / FLOOD;
  const start = performance.now();
  for (let i = 0; i < FLOOD; i++) {
    pending.push(
      v.verify(floodTokens[i]).then(
        () => 'accepted',
        () => 'rejected',
      ),
    );
    const due = start + (i + 1) * gap;
    if (due - performance.now() > 1) await settle(due - performance.now());
  }
  const flood = await Promise.all(pending);
  await settle(100);
  const floodFetches = issuer.hits;
  // 3. the valid tokens still verify after the flood (the good key set was not thrown away)
  const after = await Promise.allSettled(tokens.slice(0, 10).map((t) => v.verify(t)));
  results[name] = {
    coldFetches,
    coldOk,
    coldTotal: tokens.length,
    coldMs: Math.round(coldMs),
    floodFetches,
    floodRejected: flood.filter((x) => x === 'rejected').length,
    floodTotal: FLOOD,
    floodMs: FLOOD_MS,
    validAfterFlood: after.filter((r) => r.status === 'fulfilled').length + '/10',
  };
  v.close();
}
await issuer.close();
process.stdout.write(JSON.stringify({ issuerKind: kind, results }) + '\n');
