#!/usr/bin/env node
// `npx @rakomi/nestjs explain <token|->`: explains why a token (or, with --webhook, a delivery) verifies or not.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { RakomiClient } from '../client/rakomi.client.js';
import { isRakomiError } from '../errors/rakomi.error.js';
import { explainOptions, parseHeadersFile, UsageError } from './cli-options.js';
import type { ExplainReport } from './explain-report.js';
import { explainToken } from './explain-token.js';
import { explainWebhook } from './explain-webhook.js';
import { renderReport } from './render-report.js';

const USAGE = `Usage:
  rakomi-nestjs explain <token|-> --audience <aud> [--base-url <url>] [--issuer <iss>] [--clock-tolerance <s>] [--json]
  rakomi-nestjs explain --webhook --body <file> --headers <file> [--json]      (secret from RAKOMI_WEBHOOK_SECRET)
Environment: RAKOMI_BASE_URL, RAKOMI_ISSUER, RAKOMI_AUDIENCE, RAKOMI_WEBHOOK_SECRET, RAKOMI_API_KEY.
Exit status: 0 valid, 1 invalid, 2 usage error. The token is sent nowhere; only the JWKS is fetched.`;

async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'base-url': { type: 'string' },
      issuer: { type: 'string' },
      audience: { type: 'string', multiple: true },
      'clock-tolerance': { type: 'string' },
      webhook: { type: 'boolean' },
      body: { type: 'string' },
      headers: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, input, ...rest] = positionals;
  if (values.help) return print(USAGE, 0);
  if (command !== 'explain' || rest.length > 0) throw new UsageError('expected: explain <token|-> or explain --webhook');
  const client = new RakomiClient(explainOptions(values, process.env, !values.webhook));
  try {
    let report: ExplainReport;
    if (values.webhook) {
      if (values.body === undefined || values.headers === undefined) throw new UsageError('--webhook needs --body and --headers');
      const headers = parseHeadersFile(readFileSync(values.headers, 'utf8'));
      report = explainWebhook(client, readFileSync(values.body), headers, Date.now());
    } else {
      if (input === undefined) throw new UsageError('give a token, or - to read it from stdin');
      const token = (input === '-' ? readFileSync(0, 'utf8') : input).trim();
      report = await explainToken(client, token, Date.now());
    }
    return print(values.json ? JSON.stringify(report, null, 2) + '\n' : renderReport(report), report.ok ? 0 : 1);
  } finally {
    client.close();
  }
}

function print(text: string, status: number): number {
  process.stdout.write(text.endsWith('\n') ? text : text + '\n');
  return status;
}

try {
  process.exitCode = await run(process.argv.slice(2));
} catch (error) {
  const usage = error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
  const detail = isRakomiError(error) ? `${error.code}: ${error.message}` : (error as Error).message;
  process.stderr.write(`${detail}\n${usage ? USAGE + '\n' : ''}`);
  process.exitCode = 2;
}
