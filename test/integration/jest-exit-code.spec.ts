// CI reads jest's exit status: with the Redis global setup and teardown both active (the teardown
// stops the redis-server the setup started), one failing test must still make jest exit non-zero.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jest } from '@jest/globals';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const HAS_REDIS_SERVER = spawnSync('redis-server', ['--version']).error === undefined;

jest.setTimeout(60_000);

function runJest(testSource: string): { status: number | null; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'rakomi-jest-exit-'));
  try {
    writeFileSync(join(dir, 'probe.test.mjs'), testSource);
    const config = {
      rootDir: dir,
      testRegex: 'probe\\.test\\.mjs$',
      transform: {},
      globalSetup: join(ROOT, 'test/setup/redis.global-setup.mjs'),
      globalTeardown: join(ROOT, 'test/setup/redis.global-teardown.mjs'),
    };
    const env = { ...process.env };
    delete env.REDIS_URL; // the setup starts its own redis-server, the teardown stops it
    const run = spawnSync(
      process.execPath,
      ['--experimental-vm-modules', join(ROOT, 'node_modules/jest/bin/jest.js'), '--config', JSON.stringify(config), '--ci'],
      { cwd: dir, env, encoding: 'utf8' },
    );
    return { status: run.status, output: `${run.stdout}\n${run.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

(HAS_REDIS_SERVER ? describe : describe.skip)('jest with the Redis global setup and teardown', () => {
  it('exits 1 when a test fails', () => {
    const run = runJest("test('fails', () => { throw new Error('expected failure'); });\n");
    expect(run.output).toContain('expected failure');
    expect(run.status).toBe(1);
  });

  it('exits 0 when every test passes', () => {
    const run = runJest("test('passes', () => {});\n");
    expect(run.status).toBe(0);
  });
});
