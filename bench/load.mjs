// Load generator: autocannon against one server, in its own process (pinned to the other core).
// Driven over IPC by run.mjs ({ id, url, connections, duration, tokensFile, pool } → { id, result }),
// so one process serves every round; or once from the command line: node load.mjs '<json>'.
import autocannon from 'autocannon';
import { readFileSync } from 'node:fs';

const tokenFiles = new Map();
const readTokens = (file) => {
  if (!tokenFiles.has(file)) tokenFiles.set(file, JSON.parse(readFileSync(file, 'utf8')));
  return tokenFiles.get(file);
};

async function run(cfg) {
  const tokens = readTokens(cfg.tokensFile).slice(0, cfg.pool);
  // One request definition whose Authorization header takes the next token of a shared counter.
  // (A static `requests` list of 1000 entries makes autocannon cycle through 1000 pre-built
  // buffers per connection; measured here, that leaves the load generator the bottleneck and the
  // server only ~70 % busy. This way the server is saturated with either mix.)
  let next = 0;
  const requests = [
    {
      method: 'GET',
      path: '/me',
      setupRequest: (req) => ({ ...req, headers: { authorization: 'Bearer ' + tokens[next++ % tokens.length] } }),
    },
  ];
  const result = await autocannon({ url: cfg.url, connections: cfg.connections, duration: cfg.duration, requests, pipelining: 1 });
  return {
    requests: result.requests.total,
    rps: result.requests.average,
    duration: result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    latencyMean: result.latency.average,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    resets: result.resets,
    statusCodeStats: result.statusCodeStats,
  };
}

if (process.send) {
  process.on('message', async (msg) => {
    try {
      process.send({ id: msg.id, result: await run(msg) });
    } catch (error) {
      process.send({ id: msg.id, error: String(error?.stack ?? error) });
    }
  });
  process.on('disconnect', () => process.exit(0));
  process.send({ ready: true });
} else {
  process.stdout.write(JSON.stringify(await run(JSON.parse(process.argv[2]))) + '\n');
}
