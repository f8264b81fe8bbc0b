// Re-renders results as Markdown (ratios recomputed).
//   node bench/render.mjs [results/latest.json]         one run
//   node bench/render.mjs a.json b.json c.json          several runs of the same code pooled: the
//     HTTP rounds and micro samples of all runs together (medians over all of them); cold start
//     and memory from the last run.
import { readFileSync } from 'node:fs';
import { median } from './lib/timing.mjs';
import { deriveHttpRatios, renderMarkdown } from './lib/report.mjs';

const files = process.argv.slice(2);
const runs = (files.length ? files : [new URL('results/latest.json', import.meta.url)]).map((f) => JSON.parse(readFileSync(f, 'utf8')));

function pool(runs) {
  if (runs.length === 1) return runs[0];
  const last = runs.at(-1);
  const out = structuredClone(last);
  out.conditions.pooled = runs.map((r) => ({
    date: r.conditions.date,
    rounds: r.conditions.config.rounds,
    duration: r.conditions.config.duration,
    loadavgAtStart: r.conditions.loadavgAtStart,
  }));
  out.conditions.config.rounds = runs.reduce((s, r) => s + r.conditions.config.rounds, 0);
  out.conditions.config.duration = [...new Set(runs.map((r) => r.conditions.config.duration))].join('/');
  out.conditions.config.warmup = [...new Set(runs.map((r) => r.conditions.config.warmup))].join('/');
  out.conditions.wallSeconds = runs.reduce((s, r) => s + r.conditions.wallSeconds, 0);
  out.conditions.loadavgAtStart = runs[0].conditions.loadavgAtStart;
  for (const row of out.http ?? []) {
    const same = runs.map((r) => r.http.find((x) => x.variant === row.variant && x.mix === row.mix)).filter(Boolean);
    row.rounds = same.flatMap((x) => x.rounds);
    row.cpuRounds = same.flatMap((x) => x.cpuRounds);
    if (same.every((x) => x.ratios)) {
      row.ratios = same.flatMap((x) => x.ratios);
      row.cpuRatios = same.flatMap((x) => x.cpuRatios);
    } else {
      delete row.ratios;
      delete row.cpuRatios;
    }
    row.rps = median(row.rounds);
    row.cpuUsPerReq = median(row.cpuRounds);
    row.p50 = median(same.map((x) => x.p50));
    row.p99 = median(same.map((x) => x.p99));
    row.non2xx = same.reduce((s, x) => s + x.non2xx, 0);
    row.errors = same.reduce((s, x) => s + x.errors, 0);
  }
  const mergeSamples = (get) => {
    const target = get(out);
    for (const [name, r] of Object.entries(target)) {
      const all = runs.map((run) => get(run)?.[name]).filter(Boolean);
      r.samples = all.flatMap((x) => x.samples);
      r.opsPerSec = median(r.samples);
    }
  };
  if (out.micro) {
    mergeSamples((r) => r.micro?.tokens);
    for (const size of Object.keys(out.micro.webhooks)) mergeSamples((r) => r.micro?.webhooks?.[size]);
  }
  return out;
}

console.log(renderMarkdown(deriveHttpRatios(pool(runs))));
