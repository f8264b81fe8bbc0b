// Instructions per request, counted by valgrind's callgrind in the server process: the work each
// variant does per request, repeatable whatever else the machine is doing (req/s on this shared
// VM moves by ±25 % from one measurement to the next). Not time: cache misses and branch
// mispredictions are not counted, so it complements the HTTP table rather than replacing it.
//   npm run build && node bench/instructions.mjs      (needs valgrind; ~25 min)
// Env: BENCH_IR_VARIANTS (default: all of ALL_VARIANTS), BENCH_IR_MERGE=1 (keep earlier rows of other variants), BENCH_IR_REQUESTS (measured requests per mix, 3000),
// BENCH_IR_WARMUP (requests before counting, 4000; then 1000 of each mix), BENCH_IR_LANES (servers at a time, 2). Writes results/instructions.{json,md}.
import autocannon from 'autocannon';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DIST, startIssuer } from './lib/issuer.mjs';
import { signMany } from './lib/sign-many.mjs';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const env = process.env;
const ALL_VARIANTS = ['none', 'noop-guard', 'user-guard', 'rakomi', 'rakomi-nocache', 'crypto-guard', 'auth0', 'passport'];
const VARIANTS = env.BENCH_IR_VARIANTS ? env.BENCH_IR_VARIANTS.split(',') : ALL_VARIANTS;
const MIXES = ['single', 'pool'];
const REQUESTS = Number(env.BENCH_IR_REQUESTS ?? 3000);
const WARMUP = Number(env.BENCH_IR_WARMUP ?? 4000);
const MIX_WARMUP = 1000;
const LANES = Number(env.BENCH_IR_LANES ?? 2);
const log = (...a) => console.error('[instructions]', ...a);

const { issuer } = await startIssuer();
const tokens = await signMany(issuer, 1000, 4 * 3600); // valid for the whole run
const serverBase = {
  jwksUrl: issuer.jwksUrl,
  issuer: issuer.issuer,
  audience: issuer.audience,
  distUrl: pathToFileURL(DIST + 'index.js').href,
  moduleOptions: issuer.moduleOptions(),
  sampleClaims: issuer.claims(),
};

/** Starts server.mjs under callgrind; resolves with its port and pid once Nest listens. */
function startServer(variant, outDir) {
  return new Promise((resolve, reject) => {
    const child = spawn('valgrind', ['--tool=callgrind', `--callgrind-out-file=${outDir}/cg.%p`, process.execPath, HERE + 'server.mjs'], {
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      env: { ...env, NODE_ENV: 'production', BENCH_SERVER: JSON.stringify({ ...serverBase, variant }) },
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('message', (msg) => msg.type === 'ready' && resolve({ child, url: `http://127.0.0.1:${msg.port}` }));
    child.on('exit', (code) => reject(new Error(`${variant} under valgrind exited ${code}: ${stderr.slice(-2000)}`)));
  });
}

/** `amount` requests on 10 connections; one token, or the pool round-robin. */
async function load(url, amount, pool) {
  let next = 0;
  const requests = [
    { method: 'GET', path: '/me', setupRequest: (req) => ({ ...req, headers: { authorization: 'Bearer ' + tokens[next++ % pool] } }) },
  ];
  const result = await autocannon({ url, connections: 10, amount, requests, timeout: 60 });
  if (result.non2xx || result.errors || result.timeouts)
    throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`);
  return result.requests.total;
}

/** Instructions counted since the last zeroing, from the dump callgrind_control just wrote. */
function dumpTotal(outDir, pid) {
  execFileSync('callgrind_control', ['-d', String(pid)], { stdio: 'ignore' });
  const dumps = readdirSync(outDir)
    .filter((f) => f.startsWith(`cg.${pid}.`))
    .sort((a, b) => Number(a.split('.').pop()) - Number(b.split('.').pop()));
  const text = readFileSync(join(outDir, dumps.at(-1)), 'utf8');
  const line = text.match(/^(?:summary|totals): (\d+)/m);
  if (!line) throw new Error('no totals in the callgrind dump');
  return Number(line[1]);
}

/** Counts one variant's instructions per request for both mixes, in a server of its own. */
async function measure(variant) {
  const outDir = mkdtempSync(join(tmpdir(), 'rakomi-ir-'));
  const t0 = Date.now();
  const { child, url } = await startServer(variant, outDir);
  const rows = [];
  try {
    await load(url, WARMUP, tokens.length); // JIT tiers settle: later windows count steady-state work only
    for (const mix of MIXES) {
      const pool = mix === 'single' ? 1 : tokens.length;
      await load(url, MIX_WARMUP, pool);
      execFileSync('callgrind_control', ['-z', String(child.pid)], { stdio: 'ignore' });
      const served = await load(url, REQUESTS, pool);
      const perRequest = dumpTotal(outDir, child.pid) / served;
      rows.push({ variant, mix, requests: served, instructionsPerRequest: Math.round(perRequest) });
      log(`${variant} ${mix}: ${Math.round(perRequest).toLocaleString('en-US')} instructions/request (${served} requests)`);
    }
  } finally {
    child.removeAllListeners('exit');
    child.kill('SIGKILL');
    rmSync(outDir, { recursive: true, force: true });
  }
  log(`${variant} done in ${Math.round((Date.now() - t0) / 1000)} s`);
  return rows;
}

// Counts do not depend on what else runs, so one server per core at a time.
const queue = [...VARIANTS];
// BENCH_IR_MERGE=1: keep the rows of results/instructions.json for variants not measured now.
const previous = env.BENCH_IR_MERGE === '1' ? JSON.parse(readFileSync(HERE + 'results/instructions.json', 'utf8')).results : [];
const results = previous.filter((r) => !VARIANTS.includes(r.variant));
await Promise.all(
  Array.from({ length: LANES }, async () => {
    while (queue.length) results.push(...(await measure(queue.shift())));
  }),
);
await issuer.close();

const LABEL = {
  none: 'no auth (ceiling)',
  'noop-guard': 'reference: APP_GUARD returning true',
  'user-guard': 'reference: APP_GUARD setting request.user only',
  rakomi: 'RakomiAuthGuard (token cache on)',
  'rakomi-nocache': 'RakomiAuthGuard (tokenCache: false)',
  'crypto-guard': 'reference: minimal crypto.verify guard',
  auth0: 'express-oauth2-jwt-bearer',
  passport: '@nestjs/passport + passport-jwt + jwks-rsa',
};
const ceiling = Object.fromEntries(results.filter((r) => r.variant === 'none').map((r) => [r.mix, r.instructionsPerRequest]));
const md = [
  '### Instructions per request (callgrind, server process)',
  '',
  `${REQUESTS} requests counted per mix after ${WARMUP} warm-up requests (then ${MIX_WARMUP} of the mix), 10 connections. \`ceiling ÷ variant\` is the throughput ratio a core would reach if time followed instructions.`,
  '',
  '| variant | one token reused | ceiling ÷ variant | 1000 distinct tokens | ceiling ÷ variant |',
  '|---|---:|---:|---:|---:|',
  ...ALL_VARIANTS.filter((v) => results.some((r) => r.variant === v)).map((v) => {
    const cell = (mix) => {
      const r = results.find((x) => x.variant === v && x.mix === mix);
      return r
        ? [r.instructionsPerRequest.toLocaleString('en-US'), (ceiling[mix] / r.instructionsPerRequest).toFixed(2) + '×']
        : ['–', '–'];
    };
    return `| ${LABEL[v] ?? v} | ${cell('single').join(' | ')} | ${cell('pool').join(' | ')} |`;
  }),
].join('\n');
writeFileSync(
  HERE + 'results/instructions.json',
  JSON.stringify({ date: new Date().toISOString(), node: process.version, requests: REQUESTS, warmup: WARMUP, results }, null, 2) + '\n',
);
writeFileSync(HERE + 'results/instructions.md', md + '\n');
console.log(md);
