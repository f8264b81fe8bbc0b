import { Injectable, type OnModuleInit, type Type } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { RakomiError } from '../../errors/rakomi.error.js';
import { RAKOMI_PUBLIC_METADATA, RAKOMI_WEBHOOK_METADATA } from '../rakomi.constants.js';
import { declaredPath, isRouteHandler, routerModulePaths } from '../utils/route-metadata.util.js';
import { RakomiAccessPolicy } from './rakomi-access.policy.js';

/** `:name` and `*name` parameters of a Nest route path. */
const PATH_PARAMS = /[:*]([A-Za-z_$][\w$]*)/g;

interface Route {
  readonly name: string;
  readonly paths: readonly string[];
  readonly params: ReadonlySet<string>;
  readonly open: boolean;
  readonly controller: Function;
  readonly handler: Function;
}

function asPaths(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((path): path is string => typeof path === 'string') : [];
}

/** Paths given to the controller's module by `RouterModule` (stored under an app-specific key). */
function modulePaths(module: unknown): string[] {
  if (typeof module !== 'function') return [];
  return routerModulePaths(module).flatMap(asPaths);
}

/**
 * Checks at start-up that the authorization metadata of every route can be enforced, so misuse fails
 * the boot with a clear message instead of answering 403 to every request:
 * - a `@TenantScoped({ param })` whose route path has no such param;
 * - `@TenantScoped()` / `@RequireClaims()` on a `@Public()` or `@RakomiWebhook()` route (no token to check);
 * - a module `tenantParam` that no route has.
 */
@Injectable()
export class RakomiAccessValidator implements OnModuleInit {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    private readonly policy: RakomiAccessPolicy,
  ) {}

  /** @throws RakomiError `config/invalid_option`, naming every misused route */
  onModuleInit(): void {
    const routes = this.routes();
    const problems = routes.flatMap((route) => this.problemsOf(route));
    const tenantParam = this.policy.tenantParam;
    if (tenantParam !== undefined && !routes.some((route) => route.params.has(tenantParam))) {
      problems.push(`tenantParam '${tenantParam}' matches no route param`);
    }
    if (problems.length > 0) throw new RakomiError('config/invalid_option', { detail: problems.join('; ') });
  }

  private problemsOf(route: Route): string[] {
    const { tenant, claims } = this.policy.requirementsOf(route.controller, route.handler);
    const problems: string[] = [];
    for (const binding of tenant) {
      if (binding.param !== undefined && !route.params.has(binding.param)) {
        problems.push(
          `@TenantScoped({ param: '${binding.param}' }) on ${route.name}, whose path ` +
            `(${route.paths.join(' | ')}) has no :${binding.param}`,
        );
      }
    }
    if (route.open && (tenant.length > 0 || claims.length > 0)) {
      problems.push(
        `@TenantScoped() / @RequireClaims() on ${route.name}, which is @Public() or @RakomiWebhook(): ` +
          'no token is checked there, so they could never apply',
      );
    }
    return problems;
  }

  /** Every route handler of every controller, with its full path(s) and their params. */
  private routes(): Route[] {
    const routes: Route[] = [];
    for (const wrapper of this.discovery.getControllers()) {
      const controller = wrapper.metatype as Type | null | undefined;
      if (typeof controller !== 'function' || controller.prototype === undefined) continue;
      const prefixes = modulePaths(wrapper.host?.metatype);
      const controllerPaths = asPaths(declaredPath(controller));
      for (const method of this.scanner.getAllMethodNames(controller.prototype as object)) {
        const handler: unknown = (controller.prototype as Record<string, unknown>)[method];
        if (typeof handler !== 'function' || !isRouteHandler(handler)) continue;
        const handlerPaths = asPaths(declaredPath(handler));
        const paths = (controllerPaths.length > 0 ? controllerPaths : ['']).flatMap((base) =>
          handlerPaths.map((path) => [...prefixes, base, path].filter(Boolean).join('/')),
        );
        const params = new Set([...prefixes, ...paths].flatMap((path) => [...path.matchAll(PATH_PARAMS)].map((m) => m[1]!)));
        const targets = [handler, controller];
        const open =
          this.reflector.getAllAndOverride<boolean>(RAKOMI_PUBLIC_METADATA, targets) === true ||
          this.reflector.getAllAndOverride<boolean>(RAKOMI_WEBHOOK_METADATA, targets) === true;
        routes.push({ name: `${controller.name}.${method}`, paths, params, open, controller, handler });
      }
    }
    return routes;
  }
}
