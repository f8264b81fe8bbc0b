import type { RakomiModuleOptions } from '../options/rakomi-options.interface.js';

/** Flags of `explain`; each falls back to the `RAKOMI_*` variable the sample app reads. */
export interface ExplainFlags {
  'base-url'?: string;
  issuer?: string;
  audience?: string[];
  'clock-tolerance'?: string;
}

/** A usage problem: printed with the usage text, exit status 2. */
export class UsageError extends Error {}

/**
 * Client options from the flags and the environment. The API key is not needed to verify
 * (`RAKOMI_API_KEY` is used when set); the webhook secret only comes from `RAKOMI_WEBHOOK_SECRET`,
 * never from a flag (flags end up in shell history and process lists).
 * @throws UsageError when no audience is given
 */
export function explainOptions(flags: ExplainFlags, env: NodeJS.ProcessEnv, needsAudience: boolean): RakomiModuleOptions {
  const audience = flags.audience?.length ? flags.audience : env.RAKOMI_AUDIENCE ? [env.RAKOMI_AUDIENCE] : undefined;
  if (needsAudience && audience === undefined) throw new UsageError('--audience (or RAKOMI_AUDIENCE) is required');
  const baseUrl = flags['base-url'] ?? env.RAKOMI_BASE_URL;
  const issuer = flags.issuer ?? env.RAKOMI_ISSUER;
  const tolerance = flags['clock-tolerance'];
  return {
    apiKey: env.RAKOMI_API_KEY || 'explain',
    logger: false,
    tokenCache: false,
    jwks: { preload: false },
    ...(baseUrl ? { baseUrl } : {}),
    ...(issuer ? { issuer } : {}),
    // A webhook needs no audience: `null` says so explicitly.
    audience: audience === undefined ? null : audience.length === 1 ? audience[0]! : audience,
    ...(tolerance === undefined ? {} : { clockTolerance: Number(tolerance) }),
    ...(env.RAKOMI_WEBHOOK_SECRET ? { webhookSecret: env.RAKOMI_WEBHOOK_SECRET } : {}),
  };
}

/** A headers file: a JSON object, or `Name: value` lines (as `curl -D` writes them). Names lower-cased. */
export function parseHeadersFile(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    for (const [name, value] of Object.entries(JSON.parse(trimmed) as Record<string, unknown>)) headers[name.toLowerCase()] = String(value);
    return headers;
  }
  for (const line of trimmed.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}
