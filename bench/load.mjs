// Load generator: autocannon against one server, in its own process (pinned to the other core).
// argv[2]: JSON { url, connections, duration, tokensFile, pool } → prints one JSON result line.
import autocannon from 'autocannon';
import { readFileSync } from 'node:fs';

const cfg = JSON.parse(process.argv[2]);
const tokens = JSON.parse(readFileSync(cfg.tokensFile, 'utf8')).slice(0, cfg.pool);
// A static `requests` array: autocannon pre-builds every request buffer, so rotating through
// 1000 tokens costs the load generator nothing per request.
const requests = tokens.map((t) => ({ method: 'GET', path: '/me', headers: { authorization: 'Bearer ' + t } }));

const result = await autocannon({
  url: cfg.url,
  connections: cfg.connections,
  duration: cfg.duration,
  requests,
  pipelining: 1,
});
process.stdout.write(JSON.stringify({
  requests: result.requests.total,
  rps: result.requests.average,
  duration: result.duration,
  p50: result.latency.p50,
  p99: result.latency.p99,
  latencyMean: result.latency.average,
  non2xx: result.non2xx,
  errors: result.errors,
  timeouts: result.timeouts,
  s2xx: result['2xx'],
}) + '\n');
