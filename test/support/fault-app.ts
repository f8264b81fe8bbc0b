// The app of the fault, fuzz, Redis and logging e2e suites: a small real Nest app (global bearer
// guard, one webhook route) booted by the app harness, and a plain node:http client that records
// when each request was sent and answered.
import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { performance } from 'node:perf_hooks';
import { Controller, Get, HttpCode, Injectable, Module, Post, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import {
  CurrentUser,
  Public,
  RakomiAuthGuard,
  RakomiModule,
  RakomiWebhook,
  WebhookEvent,
  type RakomiModuleOptions,
  type RakomiWebhookEvent,
} from '@rakomi/nestjs';
import { startApp, type AdapterName, type StartedApp } from './app-harness.js';
import { CapturingLogger } from './capturing-logger.js';

export type FaultAdapter = AdapterName;

/** Counts handler runs per delivery id; one instance may be shared by several apps (Redis suite). */
@Injectable()
export class DeliveryCounter {
  private readonly counts = new Map<string, number>();
  /** Handler runs, all deliveries together. */
  total = 0;

  record(event: RakomiWebhookEvent): void {
    this.counts.set(event.deliveryId, (this.counts.get(event.deliveryId) ?? 0) + 1);
    this.total++;
  }

  count(deliveryId: string): number {
    return this.counts.get(deliveryId) ?? 0;
  }
}

@Controller()
class FaultController {
  constructor(private readonly deliveries: DeliveryCounter) {}

  /** Behind the global guard: answers with a claim, so a 200 proves the token verified. */
  @Get('me')
  me(@CurrentUser('sub') sub: string): { sub: string } {
    return { sub };
  }

  @Public()
  @Get('health')
  health(): { ok: true } {
    return { ok: true };
  }

  @RakomiWebhook()
  @Post('hooks')
  @HttpCode(202)
  hook(@WebhookEvent() event: RakomiWebhookEvent): { handled: string } {
    this.deliveries.record(event);
    return { handled: event.deliveryId };
  }
}

@Module({})
class FaultAppModule {
  static with(options: RakomiModuleOptions, deliveries: DeliveryCounter): DynamicModule {
    return {
      module: FaultAppModule,
      imports: [RakomiModule.forRoot(options)],
      controllers: [FaultController],
      providers: [
        { provide: DeliveryCounter, useValue: deliveries },
        { provide: APP_GUARD, useClass: RakomiAuthGuard },
      ],
    };
  }
}

/** One HTTP exchange as the client saw it, with monotonic times (ms, `performance.now()`). */
export interface Exchange {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
  /** Parsed JSON body, or `undefined`. */
  readonly body: Record<string, unknown> | undefined;
  readonly sentAt: number;
  readonly doneAt: number;
}

/** A loopback HTTP client with its own agent (closed with the app, so no socket outlives a test). */
export class FaultClient {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 256 });

  constructor(readonly port: number) {}

  request(method: string, path: string, headers: Record<string, string | string[]> = {}, body?: string | Buffer): Promise<Exchange> {
    const sentAt = performance.now();
    return new Promise((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port: this.port, method, path, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: Record<string, unknown> | undefined;
          try {
            const value: unknown = JSON.parse(text);
            parsed = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
          } catch {
            parsed = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body: parsed, sentAt, doneAt: performance.now() });
        });
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  /** `GET /me` with `Authorization: Bearer <token>` (or no header when `token` is undefined). */
  me(token: string | undefined): Promise<Exchange> {
    return this.request('GET', '/me', token === undefined ? {} : { authorization: `Bearer ${token}` });
  }

  /** `POST /hooks` with the exact bytes and the given headers, as `application/json`. */
  hook(body: string | Buffer, headers: Record<string, string>): Promise<Exchange> {
    return this.request('POST', '/hooks', { 'content-type': 'application/json', ...headers }, body);
  }

  close(): void {
    this.agent.destroy();
  }
}

export interface FaultApp extends StartedApp {
  readonly deliveries: DeliveryCounter;
  readonly client: FaultClient;
  /** Requests the app's HTTP server has received so far (counted on its `request` event). */
  readonly received: () => number;
  close(): Promise<void>;
}

export interface FaultAppOptions {
  adapter?: FaultAdapter;
  /** Shared handler-run counter (several apps on one Redis). @default a new one */
  deliveries?: DeliveryCounter;
  /** @default a new {@link CapturingLogger} */
  logger?: CapturingLogger;
}

/**
 * Boots the fault app with {@link startApp} (Express by default, `rawBody: true`, a free loopback
 * port): `RakomiModule.forRoot(options)`, a global `RakomiAuthGuard`, `GET /me`, `GET /health`
 * (public) and `POST /hooks` (`@RakomiWebhook()`, 202).
 */
export async function startFaultApp(options: RakomiModuleOptions, init: FaultAppOptions = {}): Promise<FaultApp> {
  const deliveries = init.deliveries ?? new DeliveryCounter();
  const started = await startApp(
    init.adapter ?? 'express',
    FaultAppModule.with(options, deliveries),
    init.logger ? { logger: init.logger } : {},
  );
  let received = 0;
  started.server.on('request', () => {
    received++;
  });
  const client = new FaultClient(started.port);
  return {
    ...started,
    deliveries,
    client,
    received: () => received,
    async close() {
      client.close();
      await started.close();
    },
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves once `condition()` holds, polling every `everyMs`; rejects with `what` after `withinMs`. */
export async function waitFor(condition: () => boolean, what: string, withinMs = 5_000, everyMs = 5): Promise<void> {
  const deadline = performance.now() + withinMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** Counts of each status (or catalog code when the body has one) over a set of exchanges. */
export function tally(exchanges: readonly Exchange[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const exchange of exchanges) {
    const code = typeof exchange.body?.code === 'string' ? `${exchange.status} ${exchange.body.code}` : String(exchange.status);
    counts[code] = (counts[code] ?? 0) + 1;
  }
  return counts;
}
