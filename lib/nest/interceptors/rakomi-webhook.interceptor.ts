import {
  Inject,
  Injectable,
  Optional,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { of, type Observable } from 'rxjs';
import { RakomiError } from '../../errors/rakomi.error.js';
import type { RakomiWebhookEvent } from '../../webhook/rakomi-webhook-event.interface.js';
import type { WebhookService } from '../../webhook/webhook.service.js';
import { RakomiClient } from '../../client/rakomi.client.js';
import type { RakomiLogger } from '../../options/rakomi-logger.interface.js';
import { RAKOMI_WEBHOOK_EVENT } from '../rakomi.constants.js';
import { describeRoute, incomingMessage, requestHeaders } from '../utils/http-request.util.js';
import { handlerSendsResponse } from '../utils/route-metadata.util.js';
import { rakomiModuleMissing } from '../utils/missing-module.js';

/** Body of the 200 that acknowledges an exact replay (the handler is not run again). */
export const WEBHOOK_REPLAY_ACK = Object.freeze({ received: true, replay: true });

/** Status of the `webhook/invalid_body` raised when the server did not keep the raw body. */
const SERVER_MISCONFIGURED = 500;
/** Status of a body sent with a `Content-Encoding` other than `identity`. */
const UNSUPPORTED_ENCODING = 415;

const RAW_BODY_HINT = {
  express:
    'Express: create the app with NestFactory.create(AppModule, { rawBody: true }). To change the JSON size limit ' +
    "use app.useBodyParser('json', { limit: '1mb' }), which keeps the raw body; app.use(json()) or app.use(express.json()) " +
    "disables it. Without Nest's body parser (plain Express), use express.raw({ type: 'application/json' }) on this route.",
  fastify: 'Fastify: create the app with NestFactory.create(AppModule, new FastifyAdapter(), { rawBody: true }).',
};

/** True for a string or a `Buffer` / `Uint8Array`, also one from another realm (no `instanceof`). */
function isRawBody(value: unknown): value is string | Uint8Array {
  return (
    typeof value === 'string' ||
    (ArrayBuffer.isView(value) && (value as Uint8Array)[Symbol.toStringTag] === 'Uint8Array')
  );
}

/**
 * Verifies the signed webhook of a route marked `@RakomiWebhook()` before its handler runs:
 * the raw body (`rawBody: true`) and the `X-Rakomi-*` headers through `WebhookService`, then the
 * replay store. A first delivery runs the handler with its own status code rules; an exact
 * replay is acknowledged with `200 { received: true, replay: true }` and the handler is not run;
 * a replay store failure answers 503 `webhook/replay_store_unavailable` (the sender retries)
 * and the handler is not run.
 */
@Injectable()
export class RakomiWebhookInterceptor implements NestInterceptor {
  private readonly webhooks: WebhookService;
  /** The module's logger (Nest's `Logger` under 'rakomi' by default; none with `logger: false`). */
  private readonly logger: RakomiLogger | undefined;

  /** @throws Error at boot, naming the fix, when `RakomiModule` is not imported */
  constructor(
    @Optional() @Inject(RakomiClient) client: RakomiClient | undefined,
    private readonly adapterHost: HttpAdapterHost,
  ) {
    if (client === undefined) throw rakomiModuleMissing('@RakomiWebhook()');
    this.webhooks = client.webhooks;
    this.logger = client.options.logger;
  }

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    if (context.getType() !== 'http') {
      throw new Error(`@RakomiWebhook() verifies HTTP requests only; it cannot run in a "${context.getType()}" context`);
    }
    const http = context.switchToHttp();
    const request = http.getRequest<Record<PropertyKey, unknown>>();
    const response: unknown = http.getResponse();

    const event = this.verify(request);
    if (!(await this.webhooks.claimDelivery(event))) {
      this.logger?.log(`Replayed webhook delivery ${event.deliveryId} acknowledged without running the handler`);
      return this.acknowledgeReplay(context, response);
    }
    request[RAKOMI_WEBHOOK_EVENT] = event;
    return next.handle();
  }

  /**
   * Steps 1–5 and 7 of the scheme (see `WebhookService.verify`), after two checks that only the
   * HTTP layer can make: the body is not content-encoded, and the raw body was kept.
   * @throws RakomiError `webhook/*`
   */
  private verify(request: Record<PropertyKey, unknown>): RakomiWebhookEvent {
    const headers = requestHeaders(request);
    // The signature covers the bytes as sent; a decoded or still-encoded body cannot match.
    const encoding = headers['content-encoding'];
    const encodings = (Array.isArray(encoding) ? encoding.join(',') : (encoding ?? ''))
      .split(',')
      .map((entry) => entry.trim().toLowerCase())
      .filter((entry) => entry !== '' && entry !== 'identity');
    if (encodings.length > 0) throw new RakomiError('webhook/invalid_body', { status: UNSUPPORTED_ENCODING });

    const message = incomingMessage(request);
    const distinctHeaders = message?.headersDistinct ?? headers;
    return this.webhooks.verify(this.rawBody(request), distinctHeaders);
  }

  /** The exact bytes received, or an empty body when the request had none. */
  private rawBody(request: Record<PropertyKey, unknown>): string | Uint8Array {
    // Nest's `rawBody: true` puts the bytes on the request it hands us, on Express and Fastify alike.
    const raw = request.rawBody;
    if (isRawBody(raw)) return raw;
    const parsed = request.body;
    if (parsed !== undefined && parsed !== null) {
      // A body parser consumed the bytes and kept no copy: our setup, not the sender's fault.
      const adapter = this.adapterHost.httpAdapter?.getType?.();
      const hint =
        adapter === 'fastify'
          ? RAW_BODY_HINT.fastify
          : adapter === 'express'
            ? RAW_BODY_HINT.express
            : `${RAW_BODY_HINT.express} ${RAW_BODY_HINT.fastify}`;
      this.logger?.error(
        `Webhook ${describeRoute(request)}: the request body was parsed but its raw bytes were not kept, ` +
          `so the signature cannot be checked (answering 500). ${hint}`,
      );
      throw new RakomiError('webhook/invalid_body', { status: SERVER_MISCONFIGURED });
    }
    // No body at all: verify the empty body, so the headers and the signature are still checked.
    return new Uint8Array(0);
  }

  /** 200 on both adapters, also for handlers that send the response themselves (`@Res()`). */
  private acknowledgeReplay(context: ExecutionContext, response: unknown): Observable<unknown> {
    const adapter = this.adapterHost.httpAdapter;
    if (handlerSendsResponse(context)) {
      adapter.reply(response, WEBHOOK_REPLAY_ACK, 200);
      return of(undefined);
    }
    // Nest set the route's status (201 for POST, or @HttpCode) before the interceptors ran and
    // replies with the status now on the response: override it for the acknowledgement only.
    adapter.status(response, 200);
    return of(WEBHOOK_REPLAY_ACK);
  }
}
