import { Inject, Injectable, Optional, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { of, type Observable } from 'rxjs';
import { RakomiError } from '../../errors/rakomi.error.js';
import type { RakomiWebhookEvent } from '../../webhook/rakomi-webhook-event.interface.js';
import { isRawWebhookBody } from '../../webhook/webhook-body.js';
import { WebhookService } from '../../webhook/webhook.service.js';
import { OncePerEpisode } from '../../logging/once-per-episode.js';
import type { RakomiLogger } from '../../options/rakomi-logger.interface.js';
import { RAKOMI_WEBHOOK_EVENT } from '../rakomi.constants.js';
import { RAKOMI_REPORTING, type RakomiReporting } from '../rakomi-reporting.js';
import { webhookRequestHeaders } from '../utils/http-request.util.js';
import { isJsonMediaType } from '../utils/json-media-type.util.js';
import { handlerSendsResponse } from '../utils/route-metadata.util.js';
import { rakomiModuleMissing } from '../utils/missing-module.js';

/** Body of the 200 that acknowledges an exact replay (the handler is not run again). */
export const WEBHOOK_REPLAY_ACK = Object.freeze({ received: true, replay: true });

/** Status of a body sent with a `Content-Encoding` other than `identity`. */
const UNSUPPORTED_ENCODING = 415;

const RAW_BODY_HINT = {
  express:
    'Express: create the app with NestFactory.create(AppModule, { rawBody: true }). To change the JSON size limit ' +
    "use app.useBodyParser('json', { limit: '1mb' }), which keeps the raw body; app.use(json()) or app.use(express.json()) " +
    "disables it. Without Nest's body parser (plain Express), use express.raw({ type: 'application/json' }) on this route.",
  fastify: 'Fastify: create the app with NestFactory.create(AppModule, new FastifyAdapter(), { rawBody: true }).',
};

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
  /** Replayed deliveries already logged: a replay is logged once per delivery id per episode. */
  private readonly loggedReplays = new OncePerEpisode();

  /** @throws Error at boot, naming the fix, when `RakomiModule` is not imported */
  constructor(
    @Optional() @Inject(WebhookService) webhooks: WebhookService | undefined,
    @Optional() @Inject(RAKOMI_REPORTING) reporting: RakomiReporting | undefined,
    private readonly adapterHost: HttpAdapterHost,
  ) {
    if (webhooks === undefined || reporting === undefined) throw rakomiModuleMissing('@RakomiWebhook()');
    this.webhooks = webhooks;
    this.logger = reporting.logger;
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
      if (this.loggedReplays.shouldLog(event.deliveryId)) {
        this.logger?.log(`Replayed webhook delivery ${event.deliveryId} acknowledged without running the handler`);
      }
      return this.acknowledgeReplay(context, response);
    }
    request[RAKOMI_WEBHOOK_EVENT] = event;
    return next.handle();
  }

  /**
   * Steps 1–5 and 7 of the scheme (see `WebhookService.verify`), after three checks that only the
   * HTTP layer can make: a body is JSON (415 `webhook/unsupported_media_type`: a Rakomi
   * delivery always is, and other content types are parsed without a raw copy), the body is not
   * content-encoded, and the raw body was kept (500 `webhook/raw_body_unavailable`).
   * @throws RakomiError `webhook/*`
   */
  private verify(request: Record<PropertyKey, unknown>): RakomiWebhookEvent {
    const headers = webhookRequestHeaders(request);
    const { contentType } = headers;
    if ((contentType !== undefined || headers.announcesBody) && !isJsonMediaType(contentType)) {
      throw new RakomiError('webhook/unsupported_media_type');
    }
    // The signature covers the bytes as sent; a decoded or still-encoded body cannot match.
    if (headers.encodings.length > 0) throw new RakomiError('webhook/invalid_body', { status: UNSUPPORTED_ENCODING });
    return this.webhooks.verify(this.rawBody(request, headers.announcesBody), headers.all);
  }

  /** The exact bytes received, or an empty body when the request had none. */
  private rawBody(request: Record<PropertyKey, unknown>, announcedBody: boolean): string | Uint8Array {
    // Nest's `rawBody: true` puts the bytes on the request it hands us, on Express and Fastify alike.
    const raw = request.rawBody;
    if (isRawWebhookBody(raw)) return raw;
    const parsed = request.body;
    if (announcedBody && parsed !== undefined && parsed !== null) {
      // A JSON body parser consumed the bytes and kept no copy: our setup, not the sender's fault.
      // The hint travels as the cause: the exception filter logs it once per route and episode.
      const adapter = this.adapterHost.httpAdapter?.getType?.();
      const hint =
        adapter === 'fastify'
          ? RAW_BODY_HINT.fastify
          : adapter === 'express'
            ? RAW_BODY_HINT.express
            : `${RAW_BODY_HINT.express} ${RAW_BODY_HINT.fastify}`;
      throw new RakomiError('webhook/raw_body_unavailable', {
        cause: `the JSON body was parsed but its raw bytes were not kept, so the signature cannot be checked. ${hint}`,
      });
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
