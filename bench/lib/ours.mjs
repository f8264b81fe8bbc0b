// Access to our built package (dist/) without depending on which helpers lib/index.ts exports.
import { loadOurs } from './issuer.mjs';

/** A RakomiClient for `options` (token + webhook services inside), or undefined when not built. */
export async function ourClient(options) {
  const ours = await loadOurs().catch(() => undefined);
  if (!ours?.RakomiClient) return undefined;
  const client = new ours.RakomiClient({ logger: false, ...options });
  return {
    client,
    // Prefer the services themselves (what the guard calls) over the facade's wrappers.
    verifyToken: client.tokens ? (t) => client.tokens.verify(t) : (t) => client.verifyToken(t),
    verifyWebhook: client.webhooks ? (b, h) => client.webhooks.verify(b, h) : (b, h) => client.verifyWebhook(b, h),
    close: () => client.close?.(),
  };
}
