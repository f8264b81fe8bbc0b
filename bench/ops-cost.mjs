// Instructions per cached verification (TokenService.checkAuthorizationHeader, what RakomiAuthGuard calls),
// counted by callgrind between a zeroing and a dump (as instructions.mjs does), without the HTTP stack:
//   valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.%p node bench/ops-cost.mjs "$PWD/dist" 100000
// then instructions per call = the dump's "summary:" ÷ 100000 (issue 14: the cost of the metrics hook).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
const run = promisify(execFile);
const [dist, n] = [process.argv[2], Number(process.argv[3])];
const { RakomiClient } = await import(dist + '/index.js');
const { RakomiTestIssuer } = await import(dist + '/testing/index.js');
const issuer = await RakomiTestIssuer.start();
const client = new RakomiClient({ ...issuer.moduleOptions(), logger: false });
const header = 'Bearer ' + issuer.token({ exp: Math.floor(Date.now() / 1000) + 3600 });
await client.verifyToken(header.slice(7));
for (let i = 0; i < 50000; i++) client.tokens.checkAuthorizationHeader(header); // JIT settles
await run('callgrind_control', ['-z', String(process.pid)]);
for (let i = 0; i < n; i++) client.tokens.checkAuthorizationHeader(header);
await run('callgrind_control', ['-d', String(process.pid)]);
client.close();
await issuer.close();
