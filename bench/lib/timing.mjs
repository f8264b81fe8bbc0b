// A small timing loop: warm-up, then interleaved samples; reports the median ops/s of the samples.
// Rates are per second of this process's CPU time (process.cpuUsage, user + system), not of wall
// time: when other processes share the core, wall time counts the slices we did not get, CPU
// time does not. (GC helper threads count against the task, which is the honest cost.)

const cpuNow = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000; // ms
};

/** Runs `fn` (sync or async) for about `ms` of CPU time; returns { cpu, wall } ops/s. */
export async function sample(fn, ms, isAsync) {
  let n = 0;
  const wall0 = performance.now();
  const cpu0 = cpuNow();
  let cpu = cpu0;
  const end = cpu0 + ms;
  while (cpu < end) {
    if (isAsync) for (let i = 0; i < 16; i++) await fn();
    else for (let i = 0; i < 16; i++) fn();
    n += 16;
    if ((n & 255) === 0 || n < 256) cpu = cpuNow();
  }
  cpu = cpuNow();
  const wall = performance.now();
  return { cpu: (n * 1000) / (cpu - cpu0), wall: (n * 1000) / (wall - wall0) };
}

export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/**
 * Measures every task: one warm-up pass, then `rounds` passes over all tasks in turn (so a noisy
 * moment hits every task alike), each task `sampleMs` of CPU per pass.
 * @param tasks [{ name, fn, async }]
 * @returns { [name]: { opsPerSec (per CPU second, median), wallOpsPerSec (median), samples } }
 */
export async function measure(tasks, { warmupMs, sampleMs, rounds }) {
  for (const t of tasks) await sample(t.fn, warmupMs, t.async);
  const samples = new Map(tasks.map((t) => [t.name, []]));
  for (let r = 0; r < rounds; r++) {
    for (const t of tasks) samples.get(t.name).push(await sample(t.fn, sampleMs, t.async));
  }
  return Object.fromEntries(
    tasks.map((t) => {
      const s = samples.get(t.name);
      return [
        t.name,
        {
          opsPerSec: median(s.map((x) => x.cpu)),
          wallOpsPerSec: median(s.map((x) => x.wall)),
          samples: s.map((x) => Math.round(x.cpu)),
        },
      ];
    }),
  );
}
