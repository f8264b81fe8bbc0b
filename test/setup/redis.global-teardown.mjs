// Stops the redis-server that redis.global-setup.mjs started, if any.
export default async function stopRedis() {
  const child = globalThis.__RAKOMI_REDIS__;
  if (!child || child.exitCode !== null) return;
  await new Promise((resolve) => {
    child.once('exit', resolve);
    child.kill('SIGTERM');
  });
}
