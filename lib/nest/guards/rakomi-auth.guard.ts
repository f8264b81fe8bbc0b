import { Injectable, Optional, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GUARDS_METADATA } from '@nestjs/common/constants.js';
import type { RakomiClaims } from '../../token/rakomi-claims.interface.js';
import { TokenService } from '../../token/token.service.js';
import { RakomiAccessPolicy } from '../access/rakomi-access.policy.js';
import { RAKOMI_PUBLIC_METADATA, RAKOMI_WEBHOOK_METADATA } from '../rakomi.constants.js';
import { authorizationHeaders } from '../utils/http-request.util.js';
import { verifiedClaims } from '../verified-claims.js';

/**
 * Verifies the `Authorization: Bearer <token>` of a request and puts the claims on
 * `request.user` (see `RakomiRequest` and `@CurrentUser()`). Usable per route
 * (`@UseGuards(RakomiAuthGuard)`) or globally (`{ provide: APP_GUARD, useClass: RakomiAuthGuard }`),
 * where `@Public()` opts a route or controller out; `@RakomiWebhook()` routes are never asked for a
 * token. It throws the catalog `RakomiError` (never returns `false`, which Nest would turn into a
 * generic 403). After authentication it applies `@TenantScoped()`, the module's `tenantParam` and
 * `@RequireClaims()` (403 `access/*`). Duplicate `Authorization` headers are rejected (400 `token/malformed`), never "first wins".
 * Works on Express and Fastify; other contexts (RPC, WebSocket, GraphQL) fail closed unless a
 * subclass overrides {@link getRequest}.
 *
 * @example
 * providers: [{ provide: APP_GUARD, useClass: RakomiAuthGuard }]
 */
@Injectable()
export class RakomiAuthGuard implements CanActivate {
  private readonly openRoutes = new WeakMap<Function, WeakMap<Function, boolean>>();

  constructor(
    private readonly tokens: TokenService,
    private readonly reflector: Reflector,
    // Authorization (issue 13): @TenantScoped / @RequireClaims / tenantParam, applied after authentication.
    @Optional() private readonly access: RakomiAccessPolicy = new RakomiAccessPolicy(),
  ) {}

  /**
   * Synchronous while the signing key is known (Nest then goes on without waiting for a
   * microtask); a promise only when the key has to be fetched.
   * @throws RakomiError `token/*` or `jwks/*`
   */
  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    if (this.isOpenRoute(context.getClass(), context.getHandler())) return true;

    const request = this.getRequest(context);
    const claims = this.tokens.checkAuthorizationHeader(authorizationHeaders(request));
    if (claims instanceof Promise) return claims.then((verified) => this.admit(context, request, verified));
    return this.admit(context, request, claims);
  }

  /**
   * Authorization (issue 13), once the token is verified (so a 401 always wins over a 403): the
   * route's tenant bindings, then its claim requirements.
   * @throws RakomiError `access/tenant_mismatch` or `access/insufficient_claims`
   */
  private admit(context: ExecutionContext, request: object, claims: RakomiClaims): true {
    attachClaims(request, claims);
    this.access.enforce(context, request, claims);
    return true;
  }

  /**
   * True for `@Public()` routes (precedence: the handler's `@Public(…)`, then a handler-level
   * `@UseGuards(RakomiAuthGuard)`, then the controller's `@Public(…)`) and for `@RakomiWebhook()`
   * routes (authenticated by their signature, checked by the webhook interceptor). Route metadata
   * is fixed once the app has started, so the answer is memoised per controller class and handler.
   */
  private isOpenRoute(controller: Function, handler: Function): boolean {
    let byHandler = this.openRoutes.get(controller);
    if (byHandler === undefined) this.openRoutes.set(controller, (byHandler = new WeakMap()));
    let open = byHandler.get(handler);
    if (open === undefined) {
      const targets = [handler, controller];
      open =
        this.isPublic(controller, handler) ||
        this.reflector.getAllAndOverride<boolean>(RAKOMI_WEBHOOK_METADATA, targets) === true;
      byHandler.set(handler, open);
    }
    return open;
  }

  private isPublic(controller: Function, handler: Function): boolean {
    const own = this.reflector.get<boolean | undefined>(RAKOMI_PUBLIC_METADATA, handler);
    if (own !== undefined) return own === true;
    const guards = this.reflector.get<unknown[] | undefined>(GUARDS_METADATA, handler) ?? [];
    if (guards.some(isRakomiAuthGuard)) return false;
    return this.reflector.get<boolean | undefined>(RAKOMI_PUBLIC_METADATA, controller) === true;
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

/** A `@UseGuards()` entry that is this guard (or a subclass), as a class or an instance. */
function isRakomiAuthGuard(guard: unknown): boolean {
  if (typeof guard === 'function') return guard === RakomiAuthGuard || guard.prototype instanceof RakomiAuthGuard;
  return guard instanceof RakomiAuthGuard;
}

/** Puts verified claims on the request for `request.user` and `@CurrentUser()`; lets it through. */
function attachClaims(request: object, claims: RakomiClaims): true {
  verifiedClaims.set(request, claims);
  (request as { user?: RakomiClaims }).user = claims;
  return true;
}
