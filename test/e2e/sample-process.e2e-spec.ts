// `npm start` as a user runs it: a real child process, its banner's command run as printed, then SIGTERM.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { promisify } from 'node:util';

const root = new URL('../../', import.meta.url).pathname;
const run = promisify(execFile);

/** Resolves with the output once `pattern` appears in it; rejects if the process exits first. */
function waitForOutput(child: ChildProcess, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (pattern.test(output)) {
        child.stdout?.off('data', onData);
        resolve(output);
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`npm start exited (${code}) before printing ${pattern}:\n${output}`)));
  });
}

describe('npm start (a real child process)', () => {
  let npm: ChildProcess;
  let banner: string;

  beforeAll(async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', HOST: '127.0.0.1' };
    for (const name of ['RAKOMI_API_KEY', 'RAKOMI_BASE_URL', 'RAKOMI_WEBHOOK_SECRET', 'RAKOMI_AUDIENCE']) delete env[name];
    // Its own process group, so that afterAll can also stop a server the signal left running.
    npm = spawn('npm', ['start'], { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'], detached: true });
    banner = await waitForOutput(npm, /A fresh token any time: .*\n/);
  }, 240_000);
  afterAll(() => {
    try {
      process.kill(-npm.pid!, 'SIGKILL');
    } catch {
      // The group is gone already: nothing was left running.
    }
  });

  it('prints a "fresh token" command that works as printed on the port it got (PORT=0 here)', async () => {
    const command = /A fresh token any time: {2}(.*)\n/.exec(banner)![1]!;
    expect(command).not.toContain(':3000');
    const { stdout } = await run('sh', ['-c', command]);
    expect(JSON.parse(stdout)).toMatchObject({ sub: 'usr_sample', email: 'ada@example.com' });
  });

  it('stops the server when npm gets SIGTERM', async () => {
    const url = /Rakomi sample on (\S+),/.exec(banner)![1]!;
    expect((await fetch(`${url}/health`)).status).toBe(200);
    npm.kill('SIGTERM');
    await once(npm, 'exit');
    // npm exits once its child did; a server still answering would be an orphan left running.
    await expect(fetch(`${url}/health`)).rejects.toThrow();
  }, 30_000);
});
