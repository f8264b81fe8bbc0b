// Instructions per cached RakomiAuthGuard.canActivate on HTTP (header reading, verification, claims,
// authorization), counted by callgrind between a zeroing and a dump, without the HTTP stack:
//   valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.%p node bench/guard-cost.mjs "$PWD/dist" 100000
// then instructions per call = the dump's "summary:" ÷ 100000.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
const run = promisify(execFile);
const [dist, n] = [process.argv[2], Number(process.argv[3])];
const { RakomiClient, RakomiAuthGuard } = await import(dist + '/index.js');
const { RakomiTestIssuer } = await import(dist + '/testing/index.js');
const { Reflector } = await import('@nestjs/core');
const issuer = await RakomiTestIssuer.start();
const client = new RakomiClient({ ...issuer.moduleOptions(), logger: false });
const header = 'Bearer ' + issuer.token({ exp: Math.floor(Date.now() / 1000) + 3600 });
await client.verifyToken(header.slice(7));
const guard = new RakomiAuthGuard(client.tokens, new Reflector());
class Controller {
  handler() {}
}
const rawHeaders = ['Host', '127.0.0.1', 'User-Agent', 'bench', 'Accept', '*/*', 'Authorization', header];
const context = (request) => ({
  getType: () => 'http',
  getClass: () => Controller,
  getHandler: () => Controller.prototype.handler,
  getArgByIndex: (index) => (index === 0 ? request : undefined),
  getArgs: () => [request],
  switchToHttp: () => ({ getRequest: () => request }),
});
const calls = (count) => {
  for (let i = 0; i < count; i++) guard.canActivate(context({ rawHeaders, headers: { authorization: header } }));
};
calls(50000); // JIT settles
await run('callgrind_control', ['-z', String(process.pid)]);
calls(n);
await run('callgrind_control', ['-d', String(process.pid)]);
client.close();
await issuer.close();
