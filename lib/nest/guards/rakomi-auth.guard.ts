import { Inject, Injectable, Optional, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { RakomiClaims } from '../../token/rakomi-claims.interface.js';
import { TokenService } from '../../token/token.service.js';
import { RakomiAccessPolicy } from '../access/rakomi-access.policy.js';
import { RAKOMI_PUBLIC_METADATA, RAKOMI_WEBHOOK_METADATA } from '../rakomi.constants.js';
import { authTransport } from '../transports/auth-transports.js';
import { rakomiModuleMissing } from '../utils/missing-module.js';
import { declaredGuards } from '../utils/route-metadata.util.js';
import { verifiedClaims } from '../verified-claims.js';

/**
 * Verifies the bearer token of a call and puts the claims where `@CurrentUser()` finds them
 * (`request.user` on HTTP). Usable per route (`@UseGuards(RakomiAuthGuard)`) or globally
 * (`{ provide: APP_GUARD, useClass: RakomiAuthGuard }`), where `@Public()` opts a route or
 * controller out; `@RakomiWebhook()` routes are never asked for a token. It never returns `false`
 * (which Nest would turn into a generic 403): it raises the catalog error in the transport's terms.
 * Duplicate credentials are rejected (400 `token/malformed`), never "first wins". After
 * authentication it applies `@TenantScoped()`, the module's `tenantParam` and `@RequireClaims()`
 * (403 `access/*`).
 *
 * One guard for every transport, chosen by `context.getType()` (see `lib/nest/transports`):
 * HTTP on Express and Fastify (`Authorization` header); GraphQL (the request's header, or a
 * graphql-ws connection's `connectionParams.authorization`); WebSocket gateways (the handshake's
 * socket.io `auth.token` or `Authorization` header); microservices (`data.authorization`, or
 * where `@RpcAuthorization()` says). Nest 11 runs no global guard (`APP_GUARD`) for gateways: there,
 * put `@UseGuards(RakomiAuthGuard)` on each gateway class.
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
    // Authorization: @TenantScoped / @RequireClaims / tenantParam, applied after authentication.
    @Optional() private readonly access: RakomiAccessPolicy = new RakomiAccessPolicy(),
  ) {
    if (tokens === undefined) throw rakomiModuleMissing('RakomiAuthGuard');
    this.tokens = tokens;
  }

  /**
   * Synchronous while the signing key is known (Nest then goes on without waiting for a
   * microtask); a promise only when the key has to be fetched.
   * @throws RakomiError `token/*` or `jwks/*` (HTTP, GraphQL: the exception filter answers it);
   *   `WsException` / `RpcException` carrying the catalog body (gateways, microservices)
   */
  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    if (this.isOpenRoute(context.getClass(), context.getHandler())) return true;

    const transport = authTransport(context.getType());
    const holder = transport.claimsHolder(context);
    try {
      const claims = this.tokens.checkAuthorizationHeader(transport.credentials(context, holder));
      if (claims instanceof Promise) {
        return claims.then(
          (verified) => this.admit(context, holder, verified),
          (error: unknown) => transport.refuse(error, holder),
        );
      }
      return this.admit(context, holder, claims);
    } catch (error) {
      return transport.refuse(error, holder);
    }
  }

  /**
   * Authorization, once the token is verified (so a 401 always wins over a 403): the
   * route's tenant bindings, then its claim requirements.
   * @throws RakomiError `access/tenant_mismatch` or `access/insufficient_claims`
   */
  private admit(context: ExecutionContext, holder: object | undefined, claims: RakomiClaims): true {
    attachClaims(holder, claims);
    this.access.enforce(context, holder ?? {}, claims);
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
      open = this.isPublic(controller, handler) || this.reflector.getAllAndOverride<boolean>(RAKOMI_WEBHOOK_METADATA, targets) === true;
      byHandler.set(handler, open);
    }
    return open;
  }

  private isPublic(controller: Function, handler: Function): boolean {
    const own = this.reflector.get<boolean | undefined>(RAKOMI_PUBLIC_METADATA, handler);
    if (own !== undefined) return own === true;
    if (declaredGuards(handler).some(isRakomiAuthGuard)) return false;
    return this.reflector.get<boolean | undefined>(RAKOMI_PUBLIC_METADATA, controller) === true;
  }
}

/** A `@UseGuards()` entry that is this guard (or a subclass), as a class or an instance. */
function isRakomiAuthGuard(guard: unknown): boolean {
  if (typeof guard === 'function') return guard === RakomiAuthGuard || guard.prototype instanceof RakomiAuthGuard;
  return guard instanceof RakomiAuthGuard;
}

/**
 * Puts verified claims on their holder (request, GraphQL operation's `req`, socket, message
 * context) for `user` and `@CurrentUser()`; lets the call through.
 */
function attachClaims(holder: object | undefined, claims: RakomiClaims): true {
  if (holder !== undefined) {
    verifiedClaims.set(holder, claims);
    (holder as { user?: RakomiClaims }).user = claims;
  }
  return true;
}
