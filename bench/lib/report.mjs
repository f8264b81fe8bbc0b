// Markdown rendering of a results object (run.mjs), with the issue-5 targets checked.
const fmt = (n, d = 0) =>
  n === undefined || Number.isNaN(n) ? '–' : Number(n).toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
const x = (r) => (r === undefined ? '–' : r.toFixed(2) + '×');
const med = (values) => {
  const v = [...values].sort((a, b) => a - b);
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
};
/** The q-quantile of values (linear interpolation). */
const quantile = (values, q) => {
  const v = [...values].sort((a, b) => a - b);
  const at = (v.length - 1) * q;
  const lo = Math.floor(at);
  return v[lo] + (v[Math.min(lo + 1, v.length - 1)] - v[lo]) * (at - lo);
};
/** " [q1–q3]" of a row's per-measurement ratios, when it has enough of them to say something. */
const spread = (row) =>
  row?.ratios?.length >= 4 ? ` [${quantile(row.ratios, 0.25).toFixed(2)}–${quantile(row.ratios, 0.75).toFixed(2)}]` : '';
/** a ÷ b as the median of the per-round ratios when both have samples (micro) or rounds (HTTP). */
function paired(a, b, field = 'samples') {
  if (a?.[field] && b?.[field] && a[field].length === b[field].length) return med(a[field].map((v, i) => v / b[field][i]));
  const value = (r) => (field === 'cpuRounds' ? r?.cpuUsPerReq : (r?.opsPerSec ?? r?.rps));
  return value(a) / value(b);
}
/** [req/s ratio, CPU ratio] of variant a over variant b, paired by round. */
function versus(a, b) {
  if (a.ratios && b.ratios) return [paired(a, b, 'ratios'), paired(a, b, 'cpuRatios')];
  return [paired(a, b, 'rounds'), paired(b, a, 'cpuRounds')];
}
const mark = (ok) => (ok === undefined ? '–' : ok ? '✅' : '❌');

const LABEL = {
  none: 'no auth (ceiling)',
  passport: '@nestjs/passport + passport-jwt + jwks-rsa',
  auth0: 'express-oauth2-jwt-bearer (middleware)',
  rakomi: 'RakomiAuthGuard (token cache on)',
  'rakomi-nocache': 'RakomiAuthGuard (tokenCache: false)',
  'noop-guard': "reference: an APP_GUARD that allows everything (Nest's guard machinery alone)",
  'crypto-guard': 'reference: minimal guard on node:crypto.verify, cached KeyObject',
  'user-guard': 'reference: an APP_GUARD that only sets request.user (no verification)',
};
const labelOf = (v) => LABEL[v] ?? v;
const MIX = { single: 'one token reused', pool: '1000 distinct tokens' };

export function targets(results) {
  const rows = [];
  const http = results.http ?? [];
  const h = (v, m) => http.find((r) => r.variant === v && r.mix === m);
  const add = (target, measured, ok) => rows.push({ target, measured, ok });
  // req/s ratio, then the CPU-per-request ratio in brackets; met when the req/s ratio meets it.
  const both = (r, c, iqr = '') => `${x(r)}${iqr} (CPU ${x(c)})`;
  for (const m of ['single', 'pool']) {
    const cached = h('rakomi', m);
    if (cached)
      add(
        `token cache on ≥ 0.95× ceiling (${MIX[m]}${m === 'single' ? ', the target' : ', context'})`,
        both(cached.ratio, cached.cpuRatio, spread(cached)),
        cached.ratio >= 0.95,
      );
  }
  for (const m of ['single', 'pool']) {
    const ours = h('rakomi-nocache', m);
    if (!ours) continue;
    add(`cache off ≥ 0.70× ceiling (${MIX[m]})`, both(ours.ratio, ours.cpuRatio, spread(ours)), ours.ratio >= 0.7);
    const pp = h('passport', m);
    if (pp) {
      const [r, c] = versus(ours, pp);
      add(`cache off ≥ 1.9× passport-jwt + jwks-rsa (${MIX[m]})`, both(r, c), r >= 1.9);
    }
    const a0 = h('auth0', m);
    if (a0) {
      const [r, c] = versus(ours, a0);
      add(`cache off ≥ 1.2× express-oauth2-jwt-bearer (${MIX[m]})`, both(r, c), r >= 1.2);
    }
  }
  const tk = results.micro?.tokens;
  if (tk?.['ours, tokenCache off']) {
    const r = paired(tk['ours, tokenCache off'], tk['crypto.verify (floor)']);
    add('uncached verify ≥ 0.67× node:crypto floor', x(r), r >= 0.67);
  }
  for (const [size, need] of [
    ['1024', 0.8],
    ['65536', 0.9],
  ]) {
    const w = results.micro?.webhooks?.[size];
    if (!w?.ours) continue;
    const r = paired(w.ours, w['raw HMAC + timingSafeEqual (floor)']);
    add(`webhook ${size === '1024' ? '1 KiB' : '64 KiB'} ≥ ${need}× raw HMAC`, x(r), r >= need);
    const parse = w['raw HMAC + timingSafeEqual + JSON.parse'];
    if (parse) {
      const rp = paired(w.ours, parse);
      add(
        `(context) webhook ${size === '1024' ? '1 KiB' : '64 KiB'} vs raw HMAC + JSON.parse, the floor of a verify that returns the payload`,
        x(rp),
        undefined,
      );
    }
  }
  const ours = results.cold?.results?.ours;
  if (ours)
    add(
      'exactly 1 JWKS fetch on a cold start (1000 concurrent)',
      `${ours.coldFetches} fetch(es), ${ours.coldOk}/${ours.coldTotal} ok`,
      ours.coldFetches === 1 && ours.coldOk === ours.coldTotal,
    );
  const mem = results.memory;
  if (mem) {
    const s = mem.rssSamplesMiB.map((p) => p[1]);
    const half = Math.floor(s.length / 2);
    const bounded =
      s.length >= 4
        ? Math.max(...s.slice(half)) <= Math.max(...s.slice(0, half)) * 1.1 && mem.heapAfterGcMiB - mem.heapBeforeMiB < 32
        : undefined;
    add(
      'memory bounded under the flood (RSS: 2nd-half max ≤ 1.1 × 1st-half max; heap after GC within 32 MiB of the start)',
      `RSS ${fmt(mem.rssBeforeMiB, 1)} → ${fmt(mem.rssAfterMiB, 1)} MiB, heap after GC ${fmt(mem.heapBeforeMiB, 1)} → ${fmt(mem.heapAfterGcMiB, 1)} MiB`,
      bounded,
    );
  }
  return rows;
}

/**
 * Fills each HTTP row's `ratio` (req/s) and `cpuRatio` (CPU µs per request) against the no-auth
 * row of the same mix: medians of the per-round ratios, so noise that hits a whole round cancels.
 */
export function deriveHttpRatios(results) {
  for (const row of results.http ?? []) {
    if (row.ratios) {
      // Bracketed measurements (run.mjs): each against the ceiling runs just before and after it.
      row.ratio = med(row.ratios);
      row.cpuRatio = med(row.cpuRatios);
      continue;
    }
    const ceiling = results.http.find((r) => r.variant === 'none' && r.mix === row.mix);
    if (!ceiling) continue;
    row.ratio = paired(row, ceiling, 'rounds');
    row.cpuRatio = row.cpuRounds ? paired(ceiling, row, 'cpuRounds') : ceiling.cpuUsPerReq / row.cpuUsPerReq;
  }
  return results;
}

export function renderMarkdown(results) {
  const c = results.conditions;
  const out = [];
  out.push(`## Benchmark results`, '');
  if (c.pooled) {
    out.push(
      `Pooled from ${c.pooled.length} runs of \`npm run bench\` on the same code (${c.pooled.map((p) => `${p.date.slice(11, 16)} UTC, ${p.rounds} × ${p.duration} s`).join('; ')}): ` +
        'HTTP medians over all their rounds, micro medians over all their samples; cold start and memory from the last run.',
      '',
    );
  }
  out.push(
    `${c.date.slice(0, 10)} · Node ${c.node} · ${c.cpu} × ${c.cores} · ${c.taskset} · issuer: ${c.issuer ?? '–'} · ` +
      `${c.config.quick ? '**quick mode** · ' : ''}${c.config.rounds} rounds × ${c.config.duration} s (fresh servers each round, warm-up ${c.config.warmup} s), ` +
      `${c.config.connections} connections · load average ${c.loadavgAtStart.join('/')} at start, ${c.loadavgAtEnd?.join('/')} at end · ${c.wallSeconds} s in all`,
    '',
  );

  const t = targets(results);
  if (t.length) {
    out.push('### Issue 5 targets', '', '| target | measured | met |', '|---|---:|:-:|');
    for (const r of t) out.push(`| ${r.target} | ${r.measured} | ${mark(r.ok)} |`);
    out.push(
      '',
      'HTTP ratios: median, [interquartile range] of the bracketed measurements, then the same median by server CPU time per request.',
      '',
    );
  }

  if (results.http) {
    out.push('### HTTP: NestJS 12 + Express, `GET /me`, autocannon on loopback (medians of the rounds)', '');
    out.push(
      '| variant | tokens | req/s | × ceiling | p50 ms | p99 ms | server CPU µs/req | × ceiling (CPU) | non-2xx / errors |',
      '|---|---|---:|---:|---:|---:|---:|---:|---:|',
    );
    for (const r of results.http) {
      out.push(
        `| ${labelOf(r.variant)} | ${MIX[r.mix]} | ${fmt(r.rps)} | ${x(r.ratio)} | ${fmt(r.p50)} | ${fmt(r.p99)} | ${fmt(r.cpuUsPerReq)} | ${x(r.cpuRatio)} | ${r.non2xx} / ${r.errors} |`,
      );
    }
    out.push(
      '',
      (results.http.some((r) => r.ratios)
        ? 'Every variant is measured between two runs of the ceiling (none, a, none, b, none, …); its ratio is the median over rounds of its result ÷ the mean of those two. '
        : '') +
        "Ratios are medians of the per-round ratios. `× ceiling (CPU)` = the ceiling's server CPU time per request ÷ the variant's: the throughput ratio a saturated server core would show, less disturbed than req/s by other load on the machine.",
    );
    out.push('');
  }

  const micro = results.micro;
  if (micro) {
    out.push('### Micro: one RS256 token verification, in process, one core', '');
    out.push('| verifier | ops/s | × floor |', '|---|---:|---:|');
    for (const [name, r] of Object.entries(micro.tokens))
      out.push(`| ${name} | ${fmt(r.opsPerSec)} | ${x(paired(r, micro.tokens['crypto.verify (floor)']))} |`);
    out.push('', '### Micro: webhook verification (HMAC-SHA256, Standard Webhooks scheme), ops/s and × raw HMAC', '');
    const cols = [
      ['1024', '1 KiB records'],
      ['65536', '64 KiB records'],
      ['65536-text', '64 KiB one string'],
    ].filter(([k]) => micro.webhooks[k]);
    out.push(`| verifier | ${cols.map(([, l]) => `${l} | ×`).join(' | ')} |`, `|---|${cols.map(() => '---:|---:').join('|')}|`);
    for (const name of Object.keys(micro.webhooks['1024'])) {
      out.push(
        `| ${name} | ${cols.map(([k]) => `${fmt(micro.webhooks[k][name]?.opsPerSec)} | ${x(paired(micro.webhooks[k][name], micro.webhooks[k]['raw HMAC + timingSafeEqual (floor)']))}`).join(' | ')} |`,
      );
    }
    out.push('');
  }

  if (results.cold) {
    const any = Object.values(results.cold.results)[0];
    out.push(
      `### JWKS fetches: cold start (${any?.coldTotal} concurrent verifications, empty cache) and unknown-kid flood (${any?.floodTotal} random kids over ${any ? any.floodMs / 1000 : '–'} s, right after)`,
      '',
    );
    out.push(
      '| verifier | cold-start fetches | verified | unknown-kid flood fetches | valid tokens after flood |',
      '|---|---:|---:|---:|---:|',
    );
    for (const [name, r] of Object.entries(results.cold.results)) {
      out.push(`| ${name} | ${r.coldFetches} | ${r.coldOk}/${r.coldTotal} | ${r.floodFetches} | ${r.validAfterFlood} |`);
    }
    out.push('');
  }

  const m = results.memory;
  if (m) {
    out.push(
      `### Memory: ${m.seconds} s flood of ${fmt(m.distinctTokens)} distinct tokens (cycled) through RakomiAuthGuard, token cache on (defaults)`,
      '',
    );
    out.push(
      '| requests | req/s | non-2xx / errors | RSS before | RSS after | RSS after GC | heap before → after GC |',
      '|---:|---:|---:|---:|---:|---:|---:|',
    );
    out.push(
      `| ${fmt(m.requests)} | ${fmt(m.rps)} | ${m.non2xx} / ${m.errors} | ${fmt(m.rssBeforeMiB, 1)} MiB | ${fmt(m.rssAfterMiB, 1)} MiB | ${fmt(m.rssAfterGcMiB, 1)} MiB | ${fmt(m.heapBeforeMiB, 1)} → ${fmt(m.heapAfterGcMiB, 1)} MiB |`,
    );
    out.push('', `RSS every 5 s (MiB): ${m.rssSamplesMiB.map(([s, v]) => `${s}s ${v}`).join(' · ')}`, '');
    if (m.heapSamplesMiB)
      out.push(`JS heap used every 5 s (MiB, before GC): ${m.heapSamplesMiB.map(([s, v]) => `${s}s ${v}`).join(' · ')}`, '');
  }
  return out.join('\n') + '\n';
}
