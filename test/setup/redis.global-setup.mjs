// Gives the Redis tests a real server: REDIS_URL when set, else a throw-away `redis-server` on a free
// loopback port (stopped by redis.global-teardown.mjs). Without either, the Redis tests fail and say why.
import { spawn, spawnSync } from 'node:child_process';
import { createServer, connect } from 'node:net';

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function ping(port) {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('error', () => resolve(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('+PONG'));
    });
  });
}

export default async function startRedis() {
  if (process.env.REDIS_URL) return;
  if (spawnSync('redis-server', ['--version']).error) {
    process.env.REDIS_UNAVAILABLE = 'redis-server is not installed: install it (apt-get install redis-server) or set REDIS_URL';
    return;
  }
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  child.unref();
  globalThis.__RAKOMI_REDIS__ = child;
  for (let attempt = 0; attempt < 100; attempt += 1) {
    if (await ping(port)) {
      process.env.REDIS_URL = `redis://127.0.0.1:${port}`;
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill();
  process.env.REDIS_UNAVAILABLE = `redis-server did not answer on 127.0.0.1:${port}`;
}
