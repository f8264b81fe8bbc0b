import type { RakomiModuleOptions } from '@rakomi/nestjs';
import { RakomiTestIssuer } from '@rakomi/nestjs/testing';

/** What the sample verifies against: a real Rakomi, or the local issuer started in-process. */
export interface SampleRakomiConfig {
  options: RakomiModuleOptions;
  /** Set when no Rakomi environment was given: the embedded local issuer. */
  localIssuer?: RakomiTestIssuer;
}

/**
 * With `RAKOMI_API_KEY` set, talks to a real Rakomi: `RAKOMI_AUDIENCE` is required (the audience
 * this API's tokens carry), `RAKOMI_BASE_URL` and `RAKOMI_WEBHOOK_SECRET` optional. With no Rakomi environment at all, starts the local test issuer
 * in-process so the sample works with no account and no network.
 */
export async function loadSampleRakomiConfig(env: NodeJS.ProcessEnv = process.env): Promise<SampleRakomiConfig> {
  const configured = ['RAKOMI_API_KEY', 'RAKOMI_BASE_URL', 'RAKOMI_WEBHOOK_SECRET', 'RAKOMI_AUDIENCE'].some((name) => env[name]);
  if (configured) {
    // A partial environment (say, a base URL without a key, or no audience) fails at start-up
    // with its catalog error: the options are validated by RakomiModule, not here.
    const options = {
      apiKey: env.RAKOMI_API_KEY ?? '',
      ...(env.RAKOMI_BASE_URL ? { baseUrl: env.RAKOMI_BASE_URL } : {}),
      ...(env.RAKOMI_WEBHOOK_SECRET ? { webhookSecret: env.RAKOMI_WEBHOOK_SECRET } : {}),
      ...(env.RAKOMI_AUDIENCE ? { audience: env.RAKOMI_AUDIENCE } : {}),
    };
    return { options: options as RakomiModuleOptions };
  }
  const localIssuer = await RakomiTestIssuer.start({ audience: 'rakomi-sample-api' });
  return { options: localIssuer.moduleOptions(), localIssuer };
}
