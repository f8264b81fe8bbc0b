import { Catch, Inject, Injectable, Logger, Optional, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { throwError, type Observable } from 'rxjs';
import { RakomiError } from '../../errors/rakomi.error.js';
import { OncePerEpisode } from '../../logging/once-per-episode.js';
import type { RakomiLogger } from '../../options/rakomi-logger.interface.js';
import { DEFAULT_REALM } from '../../options/option-limits.js';
import { RAKOMI_LOGGER_CONTEXT } from '../rakomi.constants.js';
import { RAKOMI_REPORTING, type RakomiReporting } from '../rakomi-reporting.js';
import { errorBody } from '../transports/error-body.js';
import { graphqlError } from '../transports/graphql.transport.js';
import { sendWsException } from '../transports/ws.transport.js';
import { describeRoute } from '../utils/http-request.util.js';

export type { RakomiErrorResponseBody } from '../transports/error-body.js';

/**
 * Turns a `RakomiError` into its documented HTTP response, on Express and Fastify:
 * status `error.status`; body `{ statusCode, code, message, suggestion, docs_url, fix_command? }`;
 * the headers of {@link RakomiError.headers} (`Cache-Control: no-store`, the RFC 6750
 * `WWW-Authenticate` challenge, `Retry-After` on 503). Server errors (5xx) are logged
 * with their cause; the response never carries the cause, a stack or request data.
 *
 * Other transports get the same body in their own terms: GraphQL a `GraphQLError` (the resolver
 * fails; `extensions.code` `UNAUTHENTICATED` / `FORBIDDEN` / `SERVICE_UNAVAILABLE`, the body under
 * `extensions.rakomi`); microservices an error observable the client receives as the error;
 * WebSocket gateways (where Nest applies no global filter, so only with `@UseFilters()`) the
 * client's `exception` event.
 *
 * `RakomiModule` registers it (`APP_FILTER`), so importing the module is enough.
 *
 * @example
 * app.useGlobalFilters(new RakomiExceptionFilter(app.get(HttpAdapterHost), app.get(RAKOMI_REPORTING)));
 */
@Catch(RakomiError)
@Injectable()
export class RakomiExceptionFilter implements ExceptionFilter<RakomiError> {
  private readonly logger: RakomiLogger | undefined;
  private readonly realm: string;
  /**
   * Server errors are logged once per cause per episode: one failed JWKS fetch, an unusable kid
   * or a Redis outage answers every request that meets it, and is logged once, not per request.
   */
  private readonly episodes = new OncePerEpisode();

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Optional() @Inject(RAKOMI_REPORTING) reporting?: RakomiReporting,
  ) {
    this.realm = reporting?.realm ?? DEFAULT_REALM;
    // The module's logger (Nest's `Logger` under 'rakomi' by default; none with `logger: false`).
    this.logger = reporting ? reporting.logger : new Logger(RAKOMI_LOGGER_CONTEXT);
  }

  catch(error: RakomiError, host: ArgumentsHost): void | Observable<never> | Promise<never> {
    const body = errorBody(error);
    const type = host.getType<string>();
    if (type !== 'http') this.logServerError(error, `${type} handler`);
    // Nest hands a GraphQL filter's return value back as the resolver's result: only a rejection fails it.
    if (type === 'graphql') return graphqlError(error).then((failure) => Promise.reject(failure));
    if (type === 'ws') return sendWsException(host.switchToWs().getClient(), body);
    if (type !== 'http') return throwError(() => body);
    const http = host.switchToHttp();
    const request: unknown = http.getRequest();
    const response: unknown = http.getResponse();
    const adapter = this.adapterHost.httpAdapter;
    this.logServerError(error, describeRoute(request));

    if (adapter.isHeadersSent(response)) {
      // Too late for a status line: end the response so the client is not left waiting.
      this.logger?.warn(`${error.code} raised after the response headers were sent`);
      adapter.end(response);
      return;
    }
    for (const [name, value] of Object.entries(error.headers(this.realm))) adapter.setHeader(response, name, value);
    adapter.reply(response, body, error.status);
  }

  /**
   * 5xx are our (or the upstream's) fault: log the code, the route (no query string) and the
   * cause, once per route and cause per episode (the limiter bounds how many it tracks, so
   * varying request input cannot produce unbounded lines).
   */
  private logServerError(error: RakomiError, where: string): void {
    if (error.status < 500) return;
    const cause = error.cause;
    const summary = cause instanceof Error ? `${cause.name}: ${cause.message}` : cause === undefined ? '' : String(cause);
    if (!this.episodes.shouldLog(`${where}|${error.code}|${error.message}|${summary}`)) return;
    const causeText =
      cause instanceof Error ? (cause.stack ?? `${cause.name}: ${cause.message}`) : cause === undefined ? undefined : String(cause);
    this.logger?.error(`${error.code} (${error.status}) on ${where}: ${error.message}`, causeText);
  }
}
