import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { AddressInfo, Server } from 'node:net';
import { AppModule } from './app.module.js';
import { mintSampleToken, signSampleWebhook } from './dev/dev-issuer.controller.js';
import { loadSampleRakomiConfig } from './rakomi-config.js';
import { shellQuote } from './shell-quote.js';

/** Where and how to start the sample. */
export interface StartSampleOptions {
  port: number;
  host: string;
  env?: NodeJS.ProcessEnv;
}

/** A started sample and the start-up text it prints. */
export interface StartedSample {
  app: INestApplication;
  url: string;
  banner: string;
}

/**
 * Builds and starts the sample API. `rawBody: true` keeps the exact bytes webhook signatures
 * cover. The banner holds ready-to-paste `curl` lines when the local issuer is embedded.
 */
export async function startSample({ port, host, env = process.env }: StartSampleOptions): Promise<StartedSample> {
  const config = await loadSampleRakomiConfig(env);
  const app = await NestFactory.create(AppModule.register(config), {
    rawBody: true,
    abortOnError: false,
    logger: ['log', 'warn', 'error'],
  });
  app.enableShutdownHooks();
  await app.listen(port, host);
  const url = appUrl((app.getHttpServer() as Server).address() as AddressInfo);
  if (!config.localIssuer) {
    return { app, url, banner: `Rakomi sample on ${url}, verifying against ${config.options.baseUrl ?? 'https://api.rakomi.com'}` };
  }
  const webhook = signSampleWebhook(config.localIssuer);
  const headerFlags = Object.entries(webhook.headers).map(([name, value]) => `-H ${shellQuote(`${name}: ${value}`)}`);
  const banner = `
Rakomi sample on ${url}, verifying against a local test issuer (${config.localIssuer.url}): no account needed.

  curl ${url}/health
  curl -H "Authorization: Bearer ${mintSampleToken(config.localIssuer)}" ${url}/me
  curl -X POST ${url}/webhooks/rakomi -H 'Content-Type: application/json' ${headerFlags.join(' ')} --data-raw ${shellQuote(webhook.body)}

A fresh token any time:  curl -H "Authorization: Bearer $(curl -s ${url}/dev/token)" ${url}/me
Set RAKOMI_API_KEY and RAKOMI_AUDIENCE (and RAKOMI_BASE_URL, RAKOMI_WEBHOOK_SECRET) to verify against a real Rakomi instead.
`;
  return { app, url, banner };
}

/** Where the sample answers: `localhost` when it listens on every interface, else the address it is bound to. */
function appUrl({ address, family, port }: AddressInfo): string {
  const host = address === '0.0.0.0' || address === '::' ? 'localhost' : family === 'IPv6' ? `[${address}]` : address;
  return `http://${host}:${port}`;
}
