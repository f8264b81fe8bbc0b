import { Logger, type Provider, type Type } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { RakomiClient } from '../client/rakomi.client.js';
import { RakomiError } from '../errors/rakomi.error.js';
import type { RakomiModuleOptions } from '../options/rakomi-options.interface.js';
import { TokenService } from '../token/token.service.js';
import { WebhookService } from '../webhook/webhook.service.js';
import { RAKOMI_REPORTING, type RakomiReporting } from './rakomi-reporting.js';
import { RAKOMI_LOGGER_CONTEXT, RAKOMI_MODULE_OPTIONS, RAKOMI_WEBHOOK_METADATA } from './rakomi.constants.js';

/** Keys the Nest layer accepts but the framework-free core does not know. */
const NEST_ONLY_KEYS = ['isGlobal', 'tenantParam'] as const;

/**
 * The options as the core expects them: module extras stripped (the core rejects unknown keys),
 * and a Nest `Logger` with context `rakomi` unless the user chose a logger (or `false`).
 */
export function toCoreOptions(options: RakomiModuleOptions): RakomiModuleOptions {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    // Let the core report the catalog error for a non-object.
    return options;
  }
  const core: Record<string, unknown> = { ...options };
  for (const key of NEST_ONLY_KEYS) delete core[key];
  if (core.logger === undefined) core.logger = new Logger(RAKOMI_LOGGER_CONTEXT);
  return core as unknown as RakomiModuleOptions;
}

/** `Controller.method` names of every route marked `@RakomiWebhook()` (on the method or its class). */
export function findWebhookRoutes(discovery: DiscoveryService, scanner: MetadataScanner): string[] {
  const routes: string[] = [];
  for (const wrapper of discovery.getControllers()) {
    const controller = wrapper.metatype as Type | null | undefined;
    if (typeof controller !== 'function' || controller.prototype === undefined) continue;
    const classMarked = Reflect.getMetadata(RAKOMI_WEBHOOK_METADATA, controller) === true;
    for (const method of scanner.getAllMethodNames(controller.prototype as object)) {
      const handler: unknown = (controller.prototype as Record<string, unknown>)[method];
      if (typeof handler !== 'function') continue;
      if (classMarked || Reflect.getMetadata(RAKOMI_WEBHOOK_METADATA, handler) === true) {
        routes.push(`${controller.name}.${method}`);
      }
    }
  }
  return routes;
}

/**
 * Builds the client from the module options. Fails the application start-up with the catalog
 * `config/*` error on a bad configuration, and with `config/missing_webhook_secret` when a route
 * is marked `@RakomiWebhook()` but no secret is configured.
 */
export function createRakomiClient(options: RakomiModuleOptions, discovery: DiscoveryService, scanner: MetadataScanner): RakomiClient {
  const client = new RakomiClient(toCoreOptions(options));
  if (client.options.webhookKeys.length === 0) {
    const routes = findWebhookRoutes(discovery, scanner);
    if (routes.length > 0) {
      client.close();
      new Logger(RAKOMI_LOGGER_CONTEXT).error(
        `@RakomiWebhook() is used on ${routes.join(', ')} but no webhookSecret is configured. ` +
          'Pass webhookSecret (whsec_...) to RakomiModule.forRoot() / forRootAsync().',
      );
      throw new RakomiError('config/missing_webhook_secret');
    }
  }
  return client;
}

/** The providers every `RakomiModule` registers; the core classes stay free of Nest decorators. */
export const RAKOMI_PROVIDERS: Provider[] = [
  {
    provide: RakomiClient,
    useFactory: createRakomiClient,
    inject: [RAKOMI_MODULE_OPTIONS, DiscoveryService, MetadataScanner],
  },
  { provide: TokenService, useFactory: (client: RakomiClient) => client.tokens, inject: [RakomiClient] },
  { provide: WebhookService, useFactory: (client: RakomiClient) => client.webhooks, inject: [RakomiClient] },
  {
    provide: RAKOMI_REPORTING,
    useFactory: ({ options }: RakomiClient): RakomiReporting => ({ logger: options.logger, realm: options.realm }),
    inject: [RakomiClient],
  },
];
