// Runs a built fixture app (`node dist/main.js` in the fixture folder) against a local test issuer
// and checks the answers over real HTTP: 200 public, 401 without a token, 200 with one.
// Usage: node test/consumers/smoke.mjs <fixture folder>
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

const dir = resolve(process.argv[2] ?? '.');
const { RakomiTestIssuer } = createRequire(join(dir, 'package.json'))('@rakomi/nestjs/testing');

const freePort = () =>
  new Promise((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });

async function waitFor(url, child) {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    if (child.exitCode !== null) throw new Error(`the app exited with ${child.exitCode}`);
    if (
      await fetch(url).then(
        () => true,
        () => false,
      )
    )
      return;
    await new Promise((done) => setTimeout(done, 100));
  }
  throw new Error(`the app did not answer on ${url}`);
}

const issuer = await RakomiTestIssuer.start({ audience: 'smoke' });
const { baseUrl, issuer: iss, webhookSecret } = issuer.moduleOptions();
const port = await freePort();
const app = spawn(process.execPath, ['dist/main.js'], {
  cwd: dir,
  stdio: ['ignore', 'inherit', 'inherit'],
  env: {
    ...process.env,
    PORT: String(port),
    RAKOMI_BASE_URL: baseUrl,
    RAKOMI_ISSUER: iss,
    RAKOMI_AUDIENCE: 'smoke',
    RAKOMI_WEBHOOK_SECRET: webhookSecret,
  },
});
const base = `http://127.0.0.1:${port}`;
const checks = [];
try {
  await waitFor(base, app);
  const status = async (path, headers = {}) => (await fetch(base + path, { headers })).status;
  checks.push(['GET / (public)', await status('/'), 200]);
  checks.push(['GET /me without a token', await status('/me'), 401]);
  checks.push(['GET /me with a valid token', await status('/me', { authorization: `Bearer ${issuer.token({ sub: 'usr_smoke' })}` }), 200]);
  checks.push(['GET /me with an expired token', await status('/me', { authorization: `Bearer ${issuer.badToken('expired')}` }), 401]);
} finally {
  app.kill();
  await issuer.close();
}
for (const [what, got, want] of checks) console.log(`${got === want ? 'ok  ' : 'FAIL'} ${what}: ${got} (want ${want})`);
process.exitCode = checks.length === 4 && checks.every(([, got, want]) => got === want) ? 0 : 1;
