// Summarises a V8 CPU profile (node --cpu-prof): self time by function and by package/file.
// Usage: node bench/profile.mjs <file.cpuprofile> [top=25] [requests served, to print µs/request]
import { readFileSync } from 'node:fs';

const [file, topArg, requestsArg] = process.argv.slice(2);
const requests = Number(requestsArg ?? 0);
const top = Number(topArg ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map();
const dt = profile.timeDeltas;
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i];
  self.set(id, (self.get(id) ?? 0) + (dt[i] ?? 0));
}
const total = [...self.values()].reduce((a, b) => a + b, 0);
const idle = [...self]
  .filter(([id]) => ['(idle)', '(program)'].includes(byId.get(id).callFrame.functionName))
  .reduce((a, [, t]) => a + t, 0);

function where(url) {
  if (!url) return '(native/V8)';
  if (url.startsWith('node:')) return url;
  const m = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  if (m) return m[1];
  const d = url.match(/\/(dist|bench)\/(.*)$/);
  return d ? `${d[1]}/${d[2]}` : url;
}
const fn = new Map();
const pkg = new Map();
for (const [id, t] of self) {
  const { functionName, url, lineNumber } = byId.get(id).callFrame;
  if (functionName === '(idle)' || functionName === '(program)') continue;
  const w = where(url);
  const k = `${functionName || '(anonymous)'}  ${w}${url ? ':' + (lineNumber + 1) : ''}`;
  fn.set(k, (fn.get(k) ?? 0) + t);
  const group = w.startsWith('dist/') ? w : w.startsWith('node:') ? 'node: internals' : w;
  pkg.set(group, (pkg.get(group) ?? 0) + t);
}
const pct = (t) =>
  ((100 * t) / (total - idle)).toFixed(1).padStart(5) + '%' + (requests ? ((t / requests).toFixed(2) + ' µs/req').padStart(16) : '');
console.log(
  `${file}: ${(total / 1e6).toFixed(1)} s sampled, ${((100 * idle) / total).toFixed(1)}% idle/program; shares below are of busy time` +
    (requests ? `, ${((total - idle) / requests).toFixed(1)} µs busy per request` : ''),
);
console.log('\nby package / file (self time):');
for (const [k, t] of [...pkg].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(pct(t), k);
console.log('\nby function (self time):');
for (const [k, t] of [...fn].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(pct(t), k);
