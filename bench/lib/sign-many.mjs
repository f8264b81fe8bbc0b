// Signs many distinct valid tokens fast: RSA-2048 signing is ~1k/s per core, so a large pool is
// signed on every core in worker threads with the issuer's current key (same header and claims
// as issuer.token()); falls back to issuer.token() when the key is not reachable.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { createPrivateKey, sign } = require('node:crypto');
const key = createPrivateKey(workerData.pem);
const b64 = (v) => Buffer.from(JSON.stringify(v)).toString('base64url');
const h = b64(workerData.header);
parentPort.postMessage(workerData.claims.map((c) => {
  const input = h + '.' + b64(c);
  return input + '.' + sign('sha256', Buffer.from(input), key).toString('base64url');
}));`;

/** `n` distinct valid tokens; `lifetime` seconds (default 2 h: a long run must not outlive them). */
export async function signMany(issuer, n, lifetime = 7200) {
  const signing = issuer.currentKey ?? { kid: issuer.kid, privateKey: issuer.privateKey };
  const exp = Math.floor(Date.now() / 1000) + lifetime;
  const claims = Array.from({ length: n }, () => issuer.claims({ exp }));
  if (!signing.privateKey || n < 200) return claims.map((c) => issuer.token(c));
  const pem = signing.privateKey.export({ type: 'pkcs8', format: 'pem' });
  const header = { alg: 'RS256', typ: 'JWT', kid: signing.kid };
  const workers = Math.max(1, availableParallelism());
  const per = Math.ceil(n / workers);
  const parts = await Promise.all(
    Array.from(
      { length: workers },
      (_, i) =>
        new Promise((resolve, reject) => {
          const w = new Worker(WORKER, {
            eval: true,
            execArgv: [],
            workerData: { pem, header, claims: claims.slice(i * per, (i + 1) * per) },
          });
          w.once('message', (tokens) => {
            resolve(tokens);
            w.terminate();
          });
          w.once('error', reject);
        }),
    ),
  );
  return parts.flat();
}
