import type { RakomiModuleOptions } from '@rakomi/nestjs';

/** Rakomi settings from the environment (the smoke test points them at a local test issuer). */
export function rakomiOptions(env: NodeJS.ProcessEnv = process.env): RakomiModuleOptions {
  return {
    apiKey: env.RAKOMI_API_KEY ?? 'akm_test_local',
    baseUrl: env.RAKOMI_BASE_URL,
    issuer: env.RAKOMI_ISSUER,
    audience: env.RAKOMI_AUDIENCE ?? 'nest12-esm',
    webhookSecret: env.RAKOMI_WEBHOOK_SECRET,
  };
}
