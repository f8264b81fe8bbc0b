// `npm run bench`: micro, cold start, HTTP (autocannon vs a Nest 12 app per variant), memory.
// Writes bench/results/latest.json and latest.md and prints the Markdown. Env knobs: README.md.
import { execFileSync, spawn } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DIST, oursAvailable, startIssuer } from './lib/issuer.mjs';
import { median } from './lib/timing.mjs';
import { deriveHttpRatios, renderMarkdown } from './lib/report.mjs';
import { signMany } from './lib/sign-many.mjs';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const RESULTS = HERE + 'results/';
const env = process.env;
const QUICK = env.BENCH_QUICK === '1';
const num = (name, full, quick) => Number(env[name] ?? (QUICK ? quick : full));
const cfg = {
  quick: QUICK,
  connections: num('BENCH_CONNECTIONS', 50, 50),
  warmup: num('BENCH_WARMUP', 2, 2),
  slotWarmup: num('BENCH_SLOT_WARMUP', 1, 1),
  duration: num('BENCH_DURATION', 2, 2),
  rounds: num('BENCH_ROUNDS', 5, 2),
  pool: num('BENCH_POOL', 1000, 1000),
  memorySeconds: num('BENCH_MEMORY_SECONDS', 60, 10),
  memoryTokens: num('BENCH_MEMORY_TOKENS', 20000, 3000),
  phases: (env.BENCH_PHASES ?? 'micro,cold,http,memory').split(','),
};
const HAVE_OURS = await oursAvailable();
const ALL_VARIANTS = ['none', 'passport', 'auth0', 'rakomi', 'rakomi-nocache', 'crypto-guard', 'user-guard'];
const variants = (env.BENCH_VARIANTS ? env.BENCH_VARIANTS.split(',') : ALL_VARIANTS).filter((v) => HAVE_OURS || !v.startsWith('rakomi'));
const MIXES = env.BENCH_MIXES ? env.BENCH_MIXES.split(',') : ['single', 'pool'];

let TASKSET = false;
try {
  execFileSync('taskset', ['-c', '0', 'true']);
  TASKSET = true;
} catch {
  /* no taskset: unpinned */
}
/** [command, args] for node running `script`, pinned to `core` when taskset exists. */
const nodeCmd = (core, args) => (TASKSET ? ['taskset', ['-c', String(core), process.execPath, ...args]] : [process.execPath, args]);
const log = (...a) => console.error('[bench]', ...a);

mkdirSync(RESULTS, { recursive: true });
const started = Date.now();
const conditions = {
  date: new Date().toISOString(),
  node: process.version,
  cpu: cpus()[0]?.model,
  cores: cpus().length,
  memGiB: Math.round(totalmem() / 2 ** 30),
  loadavgAtStart: loadavg().map((x) => +x.toFixed(2)),
  taskset: TASKSET ? 'server on core 0, load generator / micro on core 1 / core 0 (see README)' : 'not available: unpinned',
  ours: HAVE_OURS ? 'dist/ (npm run build)' : 'not built: Rakomi variants skipped',
  config: cfg,
};
const results = { conditions };
const phaseStart = {};
const phase = (name) => {
  phaseStart[name] = Date.now();
};
const phaseEnd = (name) => {
  (conditions.phaseSeconds ??= {})[name] = Math.round((Date.now() - phaseStart[name]) / 1000);
};

function runJson(core, script, args = [], extraEnv = {}) {
  return new Promise((resolve, reject) => {
    const [cmd, argv] = nodeCmd(core, [HERE + script, ...args]);
    const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...env, ...extraEnv } });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`${script} exited ${code}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').pop()));
      } catch (e) {
        reject(e);
      }
    });
  });
}

// ---- micro + cold ------------------------------------------------------------------------------
if (cfg.phases.includes('micro')) {
  log('micro benchmarks (pinned to core 0)…');
  phase('micro');
  results.micro = await runJson(0, 'micro.mjs');
  phaseEnd('micro');
}
if (cfg.phases.includes('cold')) {
  log('cold start / unknown-kid flood…');
  phase('cold');
  results.cold = await runJson(0, 'cold.mjs');
  phaseEnd('cold');
}

// ---- HTTP --------------------------------------------------------------------------------------
const { kind: issuerKind, issuer } = await startIssuer();
conditions.issuer = issuerKind;
const moduleOptions = issuer.moduleOptions();
const serverBase = {
  jwksUrl: issuer.jwksUrl,
  issuer: issuer.issuer,
  audience: issuer.audience,
  distUrl: pathToFileURL(DIST + 'index.js').href,
  moduleOptions,
  sampleClaims: issuer.claims(),
};

function startServer(variant, { gc = false } = {}) {
  return new Promise((resolve, reject) => {
    // BENCH_CPU_PROF=<dir>: every server writes a V8 CPU profile there on exit (see profile.mjs).
    const prof = env.BENCH_CPU_PROF
      ? [
          '--cpu-prof',
          '--cpu-prof-interval',
          env.BENCH_CPU_PROF_INTERVAL ?? '1000',
          '--cpu-prof-dir',
          env.BENCH_CPU_PROF,
          '--cpu-prof-name',
          `${variant}.cpuprofile`,
        ]
      : [];
    const [cmd, argv] = nodeCmd(0, [...prof, ...(gc ? ['--expose-gc'] : []), HERE + 'server.mjs']);
    const child = spawn(cmd, argv, {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: { ...env, NODE_ENV: 'production', BENCH_SERVER: JSON.stringify({ ...serverBase, variant }) },
    });
    let seq = 0;
    const waiting = new Map();
    child.on('message', (msg) => {
      if (msg.type === 'ready') resolve(server(msg.port));
      else if (msg.type === 'mem' || msg.type === 'cpu') {
        waiting.get(msg.id)?.(msg[msg.type]);
        waiting.delete(msg.id);
      }
    });
    child.on('exit', (code) => reject(new Error(`server ${variant} exited ${code}`)));
    const server = (port) => ({
      variant,
      port,
      url: `http://127.0.0.1:${port}`,
      child,
      mem: (gcFirst) =>
        new Promise((r) => {
          const id = ++seq;
          waiting.set(id, r);
          child.send({ type: 'mem', id, gc: gcFirst });
        }),
      cpu: () =>
        new Promise((r) => {
          const id = ++seq;
          waiting.set(id, r);
          child.send({ type: 'cpu', id });
        }),
      close: () =>
        new Promise((r) => {
          child.removeAllListeners('exit');
          child.once('exit', r);
          child.send({ type: 'close' });
        }),
    });
  });
}

function writeTokens(name, tokens) {
  const file = RESULTS + name + '.tmp';
  writeFileSync(file, JSON.stringify(tokens));
  return file;
}

/** One load-generator process (pinned to core 1) for the whole run, driven over IPC. */
let loader;
function startLoader() {
  return new Promise((resolve, reject) => {
    const [cmd, argv] = nodeCmd(1, [HERE + 'load.mjs']);
    const child = spawn(cmd, argv, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const waiting = new Map();
    let seq = 0;
    child.on('message', (msg) => {
      if (msg.ready) return resolve(loader);
      const w = waiting.get(msg.id);
      waiting.delete(msg.id);
      if (msg.error) w?.reject(new Error(msg.error));
      else w?.resolve(msg.result);
    });
    child.on('exit', (code) => reject(new Error(`load generator exited ${code}`)));
    loader = {
      run: (job) =>
        new Promise((res, rej) => {
          const id = ++seq;
          waiting.set(id, { resolve: res, reject: rej });
          child.send({ id, ...job });
        }),
      close: () => {
        child.removeAllListeners('exit');
        child.disconnect();
      },
    };
  });
}

async function load(url, duration, tokensFile, pool) {
  if (!loader) await startLoader();
  return loader.run({ url, connections: cfg.connections, duration, tokensFile, pool });
}

/** Every variant must accept the valid token (200, the token's own claims) and refuse the others. */
async function checkVariant(server, token, claims) {
  const get = (headers) =>
    fetch(server.url + '/me', { headers }).then(async (r) => ({ status: r.status, body: await r.json().catch(() => undefined) }));
  const ok = await get({ authorization: 'Bearer ' + token });
  const bad = await get({ authorization: 'Bearer ' + token.slice(0, -4) + (token.endsWith('AAAA') ? 'BBBB' : 'AAAA') });
  const none = await get({});
  const problems = [];
  if (ok.status !== 200) problems.push(`valid token → ${ok.status}`);
  if (!['none', 'noop-guard', 'user-guard'].includes(server.variant)) {
    if (ok.body?.sub !== claims.sub) problems.push('valid token → body is not its claims');
    if (bad.status !== 401) problems.push(`bad signature → ${bad.status}`);
    if (none.status !== 401) problems.push(`no token → ${none.status}`);
  }
  if (problems.length) throw new Error(`variant ${server.variant} invalid: ${problems.join('; ')}`);
  return { valid: ok.status, badSignature: bad.status, missing: none.status };
}

if (cfg.phases.includes('http')) {
  phase('http');
  log(
    `HTTP: ${variants.join(', ')} × ${MIXES.join(', ')}; ${cfg.rounds} rounds × ${cfg.duration}s, fresh servers each round with ${cfg.warmup}s warm-up, ${cfg.connections} connections`,
  );
  const tokens = await signMany(issuer, cfg.pool);
  const claims = tokens.map((t) => JSON.parse(Buffer.from(t.split('.')[1], 'base64url')));
  const tokensFile = writeTokens('tokens-http', tokens);
  const runs = Object.fromEntries(variants.flatMap((v) => MIXES.map((m) => [`${v}|${m}`, []])));
  results.checks = {};
  results.warmups = {};
  // Every round starts a fresh server process per variant (JIT, GC and memory-layout luck of one
  // process would otherwise bias a variant for the whole run), checks it, warms it up, then runs
  // every variant × mix in turn (interleaved, so noise from other processes spreads over all
  // variants), in an order rotated by one each round.
  for (let r = 0; r < cfg.rounds; r++) {
    const order = variants.map((_, i) => variants[(i + r) % variants.length]);
    const t0 = Date.now();
    const servers = {};
    for (const v of order) servers[v] = await startServer(v);
    log(`round ${r + 1}: ${order.length} fresh servers up in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    for (const v of order) {
      results.checks[v] = await checkVariant(servers[v], tokens[0], claims[0]);
      const w = await load(servers[v].url, cfg.warmup, tokensFile, cfg.pool);
      (results.warmups[v] ??= []).push({ requests: w.requests, non2xx: w.non2xx, errors: w.errors });
    }
    for (const m of MIXES) {
      // Every variant is measured between two ceiling runs (none, a, none, b, none, …) and compared
      // with their mean: the load on this shared machine drifts within seconds, so a ceiling
      // measured a minute earlier is no reference.
      const others = order.filter((v) => v !== 'none');
      const slots = order.includes('none') ? [...others.flatMap((v) => ['none', v]), 'none'] : others;
      const measured = [];
      for (const v of slots) {
        // A server left idle while the others ran is not the server it was: V8 shrinks the heap
        // and lets code go cold. Each measurement is preceded by a short unmeasured load.
        await load(servers[v].url, cfg.slotWarmup, tokensFile, m === 'single' ? 1 : cfg.pool);
        const cpu0 = await servers[v].cpu();
        const res = await load(servers[v].url, cfg.duration, tokensFile, m === 'single' ? 1 : cfg.pool);
        const cpu1 = await servers[v].cpu();
        // Server CPU time per request (user + system): what one request costs the server's core,
        // much less sensitive than req/s to other processes competing for the machine.
        res.cpuUsPerReq = (cpu1.user - cpu0.user + cpu1.system - cpu0.system) / Math.max(1, res.requests);
        measured.push(res);
        runs[`${v}|${m}`].push(res);
        log(
          `round ${r + 1} ${v} ${m}: ${Math.round(res.requests / res.duration)} req/s p50 ${res.p50} p99 ${res.p99} cpu ${res.cpuUsPerReq.toFixed(0)} µs/req (server ${Math.round((res.cpuUsPerReq * res.requests) / res.duration / 1e4)} % busy) non2xx ${res.non2xx} errors ${res.errors}`,
        );
      }
      slots.forEach((v, i) => {
        if (v === 'none') return;
        const around = [measured[i - 1], measured[i + 1]].filter(Boolean);
        if (!around.length) return;
        measured[i].ceilingRps = around.reduce((sum, x) => sum + x.requests / x.duration, 0) / around.length;
        measured[i].ceilingCpuUsPerReq = around.reduce((sum, x) => sum + x.cpuUsPerReq, 0) / around.length;
      });
    }
    for (const v of order) await servers[v].close();
  }
  results.http = [];
  for (const v of variants) {
    for (const m of MIXES) {
      const rs = runs[`${v}|${m}`];
      results.http.push({
        variant: v,
        mix: m,
        rps: median(rs.map((x) => x.requests / x.duration)),
        p50: median(rs.map((x) => x.p50)),
        p99: median(rs.map((x) => x.p99)),
        cpuUsPerReq: median(rs.map((x) => x.cpuUsPerReq)),
        non2xx: rs.reduce((s, x) => s + x.non2xx, 0),
        errors: rs.reduce((s, x) => s + x.errors + x.timeouts, 0),
        requests: rs.reduce((s, x) => s + x.requests, 0),
        rounds: rs.map((x) => Math.round(x.requests / x.duration)),
        cpuRounds: rs.map((x) => Math.round(x.cpuUsPerReq)),
        // Per measurement, against the mean of the two ceiling runs around it.
        ...(rs[0]?.ceilingRps && {
          ratios: rs.map((x) => +(x.requests / x.duration / x.ceilingRps).toFixed(4)),
          cpuRatios: rs.map((x) => +(x.ceilingCpuUsPerReq / x.cpuUsPerReq).toFixed(4)),
        }),
      });
    }
  }
  phaseEnd('http');
  deriveHttpRatios(results);
}

// ---- memory ------------------------------------------------------------------------------------
if (cfg.phases.includes('memory') && HAVE_OURS) {
  phase('memory');
  log(`memory: signing ${cfg.memoryTokens} distinct tokens…`);
  const tokens = await signMany(issuer, cfg.memoryTokens);
  const tokensFile = writeTokens('tokens-memory', tokens);
  // BENCH_MEMORY_VARIANT: flood another variant instead, to compare (e.g. none: what Node + Express alone do to RSS)
  const server = await startServer(env.BENCH_MEMORY_VARIANT ?? 'rakomi', { gc: true });
  await checkVariant(server, tokens[0], JSON.parse(Buffer.from(tokens[0].split('.')[1], 'base64url')));
  const before = await server.mem(true);
  log(`memory: ${cfg.memorySeconds}s flood of ${cfg.memoryTokens} distinct tokens, cycled, through RakomiAuthGuard (cache on)`);
  const samples = [];
  const t0 = Date.now();
  const timer = setInterval(async () => {
    const t = Math.round((Date.now() - t0) / 1000);
    const m = await server.mem(false);
    samples.push({ t, rss: m.rss, heap: m.heapUsed, heapTotal: m.heapTotal });
  }, 5000);
  const res = await load(server.url, cfg.memorySeconds, tokensFile, cfg.memoryTokens);
  clearInterval(timer);
  const after = await server.mem(false);
  const afterGc = await server.mem(true);
  await server.close();
  phaseEnd('memory');
  const MiB = (b) => +(b / 2 ** 20).toFixed(1);
  results.memory = {
    seconds: cfg.memorySeconds,
    distinctTokens: cfg.memoryTokens,
    requests: res.requests,
    rps: res.requests / res.duration,
    non2xx: res.non2xx,
    errors: res.errors + res.timeouts,
    socketErrors: res.errors,
    timeouts: res.timeouts,
    rssBeforeMiB: MiB(before.rss),
    rssAfterMiB: MiB(after.rss),
    rssAfterGcMiB: MiB(afterGc.rss),
    heapBeforeMiB: MiB(before.heapUsed),
    heapAfterGcMiB: MiB(afterGc.heapUsed),
    externalAfterGcMiB: MiB(afterGc.external),
    rssSamplesMiB: samples.map((s) => [s.t, MiB(s.rss)]),
    heapSamplesMiB: samples.map((s) => [s.t, MiB(s.heap)]),
    heapTotalSamplesMiB: samples.map((s) => [s.t, MiB(s.heapTotal)]),
    variant: env.BENCH_MEMORY_VARIANT ?? 'rakomi',
  };
}

loader?.close();
await issuer.close();
for (const f of ['tokens-http', 'tokens-memory']) rmSync(RESULTS + f + '.tmp', { force: true });
conditions.loadavgAtEnd = loadavg().map((x) => +x.toFixed(2));
conditions.wallSeconds = Math.round((Date.now() - started) / 1000);

const md = renderMarkdown(results);
writeFileSync(RESULTS + 'latest.json', JSON.stringify(results, null, 2) + '\n');
writeFileSync(RESULTS + 'latest.md', md);
console.log(md);
const invalid = [
  ...(results.http ?? []).filter((r) => r.non2xx || r.errors),
  ...Object.values(results.warmups ?? {})
    .flat()
    .filter((w) => w.non2xx || w.errors),
];
if (invalid.length || (results.memory && (results.memory.non2xx || results.memory.errors))) {
  console.error('[bench] INVALID: some requests failed (non-2xx or errors), see the table');
  process.exitCode = 1;
}
