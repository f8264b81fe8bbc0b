import type { ExecutionContext } from '@nestjs/common';
import { RESPONSE_PASSTHROUGH_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum.js';

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
