// Stops the redis-server that redis.global-setup.mjs started, if any.
export default async function stopRedis() {
  const child = globalThis.__RAKOMI_REDIS__;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  // The setup unref()s the child so a crashed run cannot hang on it; ref it again while waiting for its
  // exit, or Node sees an empty event loop, quits mid-teardown with status 0 and jest never reports failures.
  child.ref();
  await new Promise((resolve) => {
    child.once('exit', resolve);
    child.kill('SIGTERM');
  });
}
