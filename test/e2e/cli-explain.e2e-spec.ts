// `rakomi-nestjs explain` as a child process (the built bin), against the real local issuer.
import { jest } from '@jest/globals';
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RakomiTestIssuer } from '@rakomi/nestjs/testing';

// Real app boots, child processes and RSA work on a shared 2-core machine: generous per-test budget.
jest.setTimeout(30_000);

const root = new URL('../../', import.meta.url).pathname;
let outDir: string;
let issuer: RakomiTestIssuer;

beforeAll(async () => {
  // Compile lib/ to a private folder (under node_modules, so jose and tslib resolve): the test runs
  // the same JavaScript the package ships.
  mkdirSync(join(root, 'node_modules/.cache'), { recursive: true });
  outDir = mkdtempSync(join(root, 'node_modules/.cache/rakomi-cli-'));
  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.json'), '--outDir', outDir]);
  writeFileSync(join(outDir, 'package.json'), '{"type":"module"}');
  issuer = await RakomiTestIssuer.start({ audience: 'cli-api' });
}, 120_000);
afterAll(async () => {
  await issuer.close();
  rmSync(outDir, { recursive: true, force: true });
});

interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

function explain(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const base = { PATH: process.env.PATH ?? '', RAKOMI_BASE_URL: issuer.url, RAKOMI_AUDIENCE: 'cli-api', ...env };
  return new Promise((resolve) => {
    execFile(process.execPath, [join(outDir, 'cli/main.js'), 'explain', ...args], { env: base }, (error, stdout, stderr) => {
      resolve({ status: error === null ? 0 : Number(error.code), stdout, stderr });
    });
  });
}

const signatureOf = (token: string) => token.split('.')[2]!;

describe('explain <token>', () => {
  it('a valid token: every step ✓, header and claims, exp as ISO "expires in", key present; exit 0; no signature printed', async () => {
    const token = issuer.token({ sub: 'usr_cli' });
    const run = await explain([token]);
    expect(run.status).toBe(0);
    expect(run.stdout).not.toContain('✗');
    expect(run.stdout).toContain('✓ signature');
    expect(run.stdout).toMatch(/exp: \d{4}-\d\d-\d\dT[\d:.]+Z \(expires in /);
    expect(run.stdout).toContain(`key ${issuer.currentKey.kid}: present in the JWKS`);
    expect(run.stdout).toContain('"sub": "usr_cli"');
    expect(run.stdout).not.toContain(signatureOf(token));
  });

  it.each([
    ['expired', 'token/expired', '✗ time: exp, nbf, iat', /\(expired .* ago\)/],
    ['bad_signature', 'token/invalid_signature', '✗ signature', /NOT verified/],
    ['wrong_audience', 'token/invalid_audience', '✗ issuer and audience', /suggestion: /],
    ['unknown_kid', 'jwks/no_matching_key', '✗ signing key for the kid in the JWKS', /NOT in the JWKS/],
  ] as const)('%s → exit 1, the failing step, %s with its message and suggestion', async (kind, code, step, detail) => {
    const token = issuer.badToken(kind);
    const run = await explain([token]);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain(step);
    expect(run.stdout).toContain(`✗ ${code}: `);
    expect(run.stdout).toMatch(detail);
    expect(run.stdout).not.toContain(signatureOf(token));
  });

  it.each([
    ['a crit header', { crit: ['exp'] }, '✗ alg is RS256, no crit or cty'],
    ['a cty header', { cty: 'JWT' }, '✗ alg is RS256, no crit or cty'],
    ['a header without kid', { kid: undefined }, '✗ compact JWS with a JSON header and a string kid'],
  ] as const)('%s → token/malformed at the step that refuses it', async (_name, header, step) => {
    const token = issuer.token({}, { header });
    const run = await explain([token]);
    expect([run.status, run.stdout.includes(step), run.stdout.includes('✗ token/malformed: ')]).toEqual([1, true, true]);
  });

  it('--json: the same report for scripts, with the catalog error and fix command', async () => {
    const run = await explain([issuer.token(), '--json', '--base-url', 'http://127.0.0.1:9']);
    expect(run.status).toBe(1);
    const report = JSON.parse(run.stdout);
    expect(report.ok).toBe(false);
    expect(report.error).toMatchObject({ code: 'jwks/fetch_failed', fix_command: 'curl http://127.0.0.1:9/.well-known/jwks.json' });
    expect(report.steps[3]).toEqual({ name: 'signing key for the kid in the JWKS', status: 'fail' });
    expect(report.key).toEqual({ kid: issuer.currentKey.kid, present: null });
  });

  it('reads the token from stdin with "-"; a missing audience is a usage error (exit 2)', async () => {
    const token = issuer.token();
    const piped = await new Promise<Run>((resolve) => {
      const child = execFile(
        process.execPath,
        [join(outDir, 'cli/main.js'), 'explain', '-', '--json'],
        { env: { PATH: process.env.PATH ?? '', RAKOMI_BASE_URL: issuer.url, RAKOMI_AUDIENCE: 'cli-api' } },
        (error, stdout, stderr) => resolve({ status: error === null ? 0 : Number(error.code), stdout, stderr }),
      );
      child.stdin!.end(`${token}\n`);
    });
    expect([piped.status, JSON.parse(piped.stdout).ok]).toEqual([0, true]);
    const usage = await explain([token], { RAKOMI_AUDIENCE: '' });
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain('--audience (or RAKOMI_AUDIENCE) is required');
  });
});

describe('explain --webhook', () => {
  it('a signed delivery → exit 0; a tampered body → exit 1 webhook/invalid_signature; the signature header is never printed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rakomi-cli-webhook-'));
    try {
      const { body, headers } = issuer.signWebhook({ type: 'user.created', data: { id: 'usr_1' } });
      writeFileSync(join(dir, 'body.json'), body);
      writeFileSync(
        join(dir, 'headers.txt'),
        Object.entries(headers)
          .map(([name, value]) => `${name}: ${value}`)
          .join('\n'),
      );
      writeFileSync(join(dir, 'tampered.json'), body.toString().replace('usr_1', 'usr_2'));
      const env = { RAKOMI_WEBHOOK_SECRET: issuer.webhookSecret };
      const ok = await explain(['--webhook', '--body', join(dir, 'body.json'), '--headers', join(dir, 'headers.txt')], env);
      expect(ok.status).toBe(0);
      expect(ok.stdout).toContain('✓ signature (v1, HMAC-SHA256) under a configured secret');
      const bad = await explain(['--webhook', '--body', join(dir, 'tampered.json'), '--headers', join(dir, 'headers.txt'), '--json'], env);
      expect(bad.status).toBe(1);
      const report = JSON.parse(bad.stdout);
      expect(report.error.code).toBe('webhook/invalid_signature');
      expect(report.steps[4].status).toBe('fail');
      const signature = Object.entries(headers).find(([name]) => name.toLowerCase() === 'x-rakomi-signature')![1];
      for (const out of [ok.stdout, bad.stdout]) expect(out).not.toContain(signature.split(',')[1]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
