// A small timing loop: warm-up, then interleaved samples; reports the median ops/s of the samples.

/** Runs `fn` (sync or async) until `ms` elapsed; returns ops/s. Async fns are awaited one by one. */
export async function sample(fn, ms, isAsync) {
  let n = 0;
  const start = performance.now();
  const end = start + ms;
  let now = start;
  if (isAsync) {
    while (now < end) {
      for (let i = 0; i < 16; i++) await fn();
      n += 16;
      now = performance.now();
    }
  } else {
    while (now < end) {
      for (let i = 0; i < 16; i++) fn();
      n += 16;
      now = performance.now();
    }
  }
  return (n * 1000) / (now - start);
}

export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/**
 * Measures every task: one warm-up pass, then `rounds` passes over all tasks in turn (so a noisy
 * moment hits every task alike), each task `sampleMs` per pass.
 * @param tasks [{ name, fn, async }]
 */
export async function measure(tasks, { warmupMs, sampleMs, rounds }) {
  for (const t of tasks) await sample(t.fn, warmupMs, t.async);
  const samples = new Map(tasks.map((t) => [t.name, []]));
  for (let r = 0; r < rounds; r++) {
    for (const t of tasks) samples.get(t.name).push(await sample(t.fn, sampleMs, t.async));
  }
  return Object.fromEntries(tasks.map((t) => [t.name, { opsPerSec: median(samples.get(t.name)), samples: samples.get(t.name) }]));
}
