import { Inject, Injectable, Optional, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { RakomiClaims } from '../../token/rakomi-claims.interface.js';
import { TokenService } from '../../token/token.service.js';
import { RAKOMI_PUBLIC_METADATA, RAKOMI_WEBHOOK_METADATA } from '../rakomi.constants.js';
import { authorizationHeaders } from '../utils/http-request.util.js';
import { rakomiModuleMissing } from '../utils/missing-module.js';
import { verifiedClaims } from '../verified-claims.js';

/**
 * Verifies the `Authorization: Bearer <token>` of a request and puts the claims on
 * `request.user` (see `RakomiRequest` and `@CurrentUser()`). Usable per route
 * (`@UseGuards(RakomiAuthGuard)`) or globally (`{ provide: APP_GUARD, useClass: RakomiAuthGuard }`),
 * where `@Public()` opts a route or controller out; `@RakomiWebhook()` routes are never asked for a
 * token. It throws the catalog `RakomiError` (never returns `false`, which Nest would turn into a
 * generic 403). Duplicate `Authorization` headers are rejected (400 `token/malformed`), never "first wins".
 * Works on Express and Fastify; other contexts (RPC, WebSocket, GraphQL) fail closed unless a
 * subclass overrides {@link getRequest}.
 *
 * @example
 * providers: [{ provide: APP_GUARD, useClass: RakomiAuthGuard }]
 */
@Injectable()
export class RakomiAuthGuard implements CanActivate {
  private readonly openRoutes = new WeakMap<Function, WeakMap<Function, boolean>>();

  private readonly tokens: TokenService;

  /** @throws Error at boot, naming the fix, when `RakomiModule` is not imported */
  constructor(
    @Optional() @Inject(TokenService) tokens: TokenService | undefined,
    private readonly reflector: Reflector,
  ) {
    if (tokens === undefined) throw rakomiModuleMissing('RakomiAuthGuard');
    this.tokens = tokens;
  }

  /**
   * Synchronous while the signing key is known (Nest then goes on without waiting for a
   * microtask); a promise only when the key has to be fetched.
   * @throws RakomiError `token/*` or `jwks/*`
   */
  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    if (this.isOpenRoute(context.getClass(), context.getHandler())) return true;

    const request = this.getRequest(context);
    const claims = this.tokens.checkAuthorizationHeader(authorizationHeaders(request));
    if (claims instanceof Promise) return claims.then((verified) => attachClaims(request, verified));
    return attachClaims(request, claims);
  }

  /**
   * True for `@Public()` routes and for `@RakomiWebhook()` routes (authenticated by their signature,
   * checked by the webhook interceptor). Route metadata is fixed once the app has started, so the
   * answer is memoised per controller class and handler.
   */
  private isOpenRoute(controller: Function, handler: Function): boolean {
    let byHandler = this.openRoutes.get(controller);
    if (byHandler === undefined) this.openRoutes.set(controller, (byHandler = new WeakMap()));
    let open = byHandler.get(handler);
    if (open === undefined) {
      const targets = [handler, controller];
      open =
        this.reflector.getAllAndOverride<boolean>(RAKOMI_PUBLIC_METADATA, targets) === true ||
        this.reflector.getAllAndOverride<boolean>(RAKOMI_WEBHOOK_METADATA, targets) === true;
      byHandler.set(handler, open);
    }
    return open;
  }

  /**
   * The HTTP request (Express or Fastify) to authenticate. Override it to support another
   * transport, e.g. GraphQL: `return GqlExecutionContext.create(context).getContext().req`.
   * @throws Error for any non-HTTP context: the guard fails closed rather than let a request through unverified
   */
  protected getRequest(context: ExecutionContext): object {
    if (context.getType() !== 'http') {
      throw new Error(
        `RakomiAuthGuard authenticates HTTP requests only and refused a "${context.getType()}" context ` +
          `(${context.getClass().name}.${context.getHandler().name}). Mark it @Public(), or extend RakomiAuthGuard ` +
          'and override getRequest() for this transport.',
      );
    }
    return context.switchToHttp().getRequest<object>();
  }
}

/** Puts verified claims on the request for `request.user` and `@CurrentUser()`; lets it through. */
function attachClaims(request: object, claims: RakomiClaims): true {
  verifiedClaims.set(request, claims);
  (request as { user?: RakomiClaims }).user = claims;
  return true;
}
