import type { RakomiClient } from './rakomi.client.js';

/**
 * Warms the client as `jwks.preload` says: `'required'` → `ready()` and let its error through;
 * `'best-effort'` → `ready()`, a failure only logged (the first requests then take the backoff
 * and stale-key path); `false` → nothing.
 * @throws RakomiError `jwks/fetch_failed` or `jwks/invalid_response` with `'required'` only
 */
export async function preloadJwks(client: RakomiClient): Promise<void> {
  const mode = client.options.jwks.preload;
  if (mode === false) return;
  if (mode === 'required') return client.ready();
  try {
    await client.ready();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    client.options.logger?.warn(`JWKS preload failed (${String(code)}); starting anyway, the first requests fetch the key set`);
  }
}
