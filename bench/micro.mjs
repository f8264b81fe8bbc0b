// In-process micro benchmarks (run pinned to one core by run.mjs). Prints one JSON line.
import { createHmac, createPublicKey, timingSafeEqual, verify as cryptoVerify } from 'node:crypto';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { ROOT, startIssuer } from './lib/issuer.mjs';
import { ourClient } from './lib/ours.mjs';
import { measure } from './lib/timing.mjs';

const quick = process.env.BENCH_QUICK === '1';
const opts = quick ? { warmupMs: 200, sampleMs: 200, rounds: 3 } : { warmupMs: 400, sampleMs: 400, rounds: 5 };
const rootRequire = createRequire(ROOT + 'package.json');
// jose v6 from the root (our dependency), not the jose 4 that express-oauth2-jwt-bearer brings into bench/.
const jose = await import(pathToFileURL(rootRequire.resolve('jose')).href);
const { Webhook } = rootRequire('standardwebhooks');
const jsonwebtoken = createRequire(import.meta.url)('jsonwebtoken');

const { kind, issuer } = await startIssuer();
const token = issuer.token();
const [h64] = token.split('.');
const kid = JSON.parse(Buffer.from(h64, 'base64url')).kid;
const jwks = await (await fetch(issuer.jwksUrl)).json();
const jwk = jwks.keys.find((k) => k.kid === kid);
const keyObject = createPublicKey({ key: jwk, format: 'jwk' });
const cryptoKey = await jose.importJWK(jwk, 'RS256');
const pem = keyObject.export({ type: 'spki', format: 'pem' });
const verifyOptions = { issuer: issuer.issuer, audience: issuer.audience, algorithms: ['RS256'] };

// --- tokens ---------------------------------------------------------------------------------
const tokenTasks = [
  {
    // The floor: split, decode the signature, one RSA-2048 verify on a cached KeyObject.
    name: 'crypto.verify (floor)',
    fn: () => {
      const dot = token.lastIndexOf('.');
      const ok = cryptoVerify('sha256', Buffer.from(token.slice(0, dot)), keyObject, Buffer.from(token.slice(dot + 1), 'base64url'));
      if (!ok) throw new Error('floor failed');
    },
  },
  { name: 'jose.jwtVerify (local CryptoKey)', async: true, fn: () => jose.jwtVerify(token, cryptoKey, verifyOptions) },
  { name: 'jsonwebtoken.verify (passport-jwt, cached PEM)', fn: () => jsonwebtoken.verify(token, pem, verifyOptions) },
];
const cleanups = [];
const uncached = await ourClient(issuer.moduleOptions({ tokenCache: false }));
if (uncached) {
  await uncached.verifyToken(token); // key warm
  cleanups.push(uncached.close);
  tokenTasks.push({ name: 'ours, tokenCache off', async: true, fn: () => uncached.verifyToken(token) });
  const cached = await ourClient(issuer.moduleOptions());
  await cached.verifyToken(token);
  cleanups.push(cached.close);
  tokenTasks.push({ name: 'ours, tokenCache on (hit)', async: true, fn: () => cached.verifyToken(token) });
}
const tokenResults = await measure(tokenTasks, opts);

// --- webhooks -------------------------------------------------------------------------------
/**
 * A JSON object of exactly `size` bytes. `records`: an event envelope around a list of small
 * objects (what user/tenant sync events look like; parse-heavy). `text`: an envelope around one
 * long string (a document or a base64 attachment; parse-light).
 */
function webhookBody(size, shape) {
  const head = shape === 'records' ? '{"type":"user.updated","data":{"items":[' : '{"type":"document.created","data":{"content":"';
  let items = '';
  if (shape === 'records') {
    for (let i = 0; ; i++) {
      const item =
        (i ? ',' : '') +
        JSON.stringify({ id: 'usr_' + i.toString(36).padStart(8, '0'), email: `u${i}@example.com`, role: 'member', active: true });
      if (head.length + items.length + item.length + 40 > size) break;
      items += item;
    }
  }
  const tail = shape === 'records' ? ']},"pad":"' : '';
  const end = '"}' + (shape === 'records' ? '' : '}');
  const fill = size - head.length - items.length - tail.length - end.length;
  const body = head + items + tail + 'abcdefghij'.repeat(Math.ceil(fill / 10)).slice(0, fill) + end;
  if (Buffer.byteLength(body) !== size) throw new Error('body size');
  JSON.parse(body);
  return body;
}

const webhookResults = {};
const SHAPES = { 1024: [1024, 'records'], 65536: [65536, 'records'], '65536-text': [65536, 'text'] };
for (const [label, [size, shape]] of Object.entries(SHAPES)) {
  const text = webhookBody(size, shape);
  const timestamp = Math.floor(Date.now() / 1000);
  const signed = issuer.signWebhook(text, { timestamp, deliveryId: 'msg_2mBenchDeliveryId' });
  const body = Buffer.from(signed.body);
  // lower-cased, as Node's req.headers are
  const headers = Object.fromEntries(Object.entries(signed.headers).map(([k, v]) => [k.toLowerCase(), v]));
  const secretKey = Buffer.from(issuer.webhookSecret.slice('whsec_'.length), 'base64');
  const raw = () => {
    const prefix = `${headers['x-rakomi-delivery-id']}.${headers['x-rakomi-timestamp']}.`;
    const mac = createHmac('sha256', secretKey).update(prefix).update(body).digest();
    const expected = Buffer.from(headers['x-rakomi-signature'].slice(3), 'base64');
    if (!timingSafeEqual(mac, expected)) throw new Error('raw failed');
  };
  const swh = new Webhook(issuer.webhookSecret);
  const swhHeaders = {
    'webhook-id': headers['x-rakomi-delivery-id'],
    'webhook-timestamp': headers['x-rakomi-timestamp'],
    'webhook-signature': headers['x-rakomi-signature'],
  };
  const tasks = [
    { name: 'raw HMAC + timingSafeEqual (floor)', fn: raw },
    {
      name: 'raw HMAC + timingSafeEqual + JSON.parse',
      fn: () => {
        raw();
        JSON.parse(body);
      },
    },
    { name: 'standardwebhooks', fn: () => swh.verify(body, swhHeaders) },
  ];
  const ours = await ourClient(issuer.moduleOptions({ replayStore: false, now: () => timestamp * 1000 }));
  if (ours) {
    ours.verifyWebhook(body, headers);
    cleanups.push(ours.close);
    tasks.push({ name: 'ours', fn: () => ours.verifyWebhook(body, headers) });
  }
  webhookResults[label] = await measure(tasks, opts);
}

for (const close of cleanups) close();
await issuer.close();
process.stdout.write(JSON.stringify({ issuerKind: kind, options: opts, tokens: tokenResults, webhooks: webhookResults }) + '\n');
