// The only file that reads Nest's own metadata keys: Nest exports them from
// `@nestjs/common/constants.js` and `@nestjs/common/enums/`, not from its entry point.
// test/unit/route-metadata.spec.ts pins every reader below against Nest's public decorators, on
// Nest 11 and 12: a Nest release that moves or renames a key fails that test, not a request.
import type { ExecutionContext } from '@nestjs/common';
import {
  GUARDS_METADATA,
  METHOD_METADATA,
  MODULE_PATH,
  PATH_METADATA,
  RESPONSE_PASSTHROUGH_METADATA,
  ROUTE_ARGS_METADATA,
} from '@nestjs/common/constants.js';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum.js';

/** What `@UseGuards()` named on a handler or controller (classes or instances), in order. */
export function declaredGuards(target: Function): readonly unknown[] {
  return (Reflect.getMetadata(GUARDS_METADATA, target) as unknown[] | undefined) ?? [];
}

/** True for a controller method that `@Get()`, `@Post()`, … made a route handler. */
export function isRouteHandler(handler: Function): boolean {
  return Reflect.getMetadata(METHOD_METADATA, handler) !== undefined;
}

/** The path(s) `@Controller()` or a route decorator gave, as declared (`undefined` when none). */
export function declaredPath(target: Function): unknown {
  return Reflect.getMetadata(PATH_METADATA, target);
}

/** The path(s) `RouterModule` gave a module (stored under an app-specific key). */
export function routerModulePaths(module: Function): unknown[] {
  return Reflect.getMetadataKeys(module)
    .filter((key): key is string => typeof key === 'string' && key.startsWith(MODULE_PATH))
    .map((key): unknown => Reflect.getMetadata(key, module));
}

/**
 * True when the handler takes `@Res()` / `@Next()` without `passthrough`: Nest then leaves the
 * response to the handler, so anything that answers instead of it must send the response itself.
 */
export function handlerSendsResponse(context: ExecutionContext): boolean {
  const controller = context.getClass();
  const method = context.getHandler().name;
  const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, method) ?? {}) as Record<string, unknown>;
  const takesResponse = Object.keys(args).some((key) => {
    const type = Number(key.split(':')[0]) as RouteParamtypes;
    return type === RouteParamtypes.RESPONSE || type === RouteParamtypes.NEXT;
  });
  if (!takesResponse) return false;
  return Reflect.getMetadata(RESPONSE_PASSTHROUGH_METADATA, controller, method) !== true;
}
