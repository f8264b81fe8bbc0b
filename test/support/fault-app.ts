// Harness of the fault, fuzz, Redis and logging e2e suites: a small real Nest app (global bearer
// guard, one webhook route) on a loopback port, a structured capturing logger, and a plain
// node:http client that records when each request was sent and answered.
import { Agent, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import { performance } from 'node:perf_hooks';
import {
  Controller,
  Get,
  HttpCode,
  Injectable,
  Module,
  Post,
  type DynamicModule,
  type INestApplication,
  type LoggerService,
} from '@nestjs/common';
import { APP_GUARD, NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
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

export type FaultAdapter = 'express' | 'fastify';

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

/** One captured log call: level, message, the Nest context (last string argument) and all text. */
export interface LogEntry {
  readonly level: string;
  readonly message: string;
  readonly context: string | undefined;
  /** Message and every other argument (stacks, objects), flattened. */
  readonly text: string;
}

function flatten(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}\n${value.stack ?? ''}`;
  if (typeof value === 'string') return value;
  if (value === undefined) return '';
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

/** A Nest `LoggerService` that keeps every call, for canary and once-per-event checks. */
export class FaultLogger implements LoggerService {
  readonly entries: LogEntry[] = [];

  private push(level: string, message: unknown, params: unknown[]): void {
    const last = params.at(-1);
    const context = params.length > 0 && typeof last === 'string' ? last : undefined;
    const text = [message, ...params].map(flatten).filter((part) => part !== '').join(' ');
    this.entries.push({ level, message: flatten(message), context, text });
  }

  log(message: unknown, ...params: unknown[]): void {
    this.push('log', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.push('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.push('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.push('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.push('verbose', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.push('fatal', message, params);
  }

  /** Entries logged with context `rakomi`. */
  rakomi(): LogEntry[] {
    return this.entries.filter((entry) => entry.context === 'rakomi');
  }

  /** How many entries contain `fragment` in their message. */
  count(fragment: string): number {
    return this.entries.filter((entry) => entry.message.includes(fragment)).length;
  }

  /** Everything logged, one line per entry. */
  text(): string {
    return this.entries.map((entry) => `[${entry.level}${entry.context ? ` ${entry.context}` : ''}] ${entry.text}`).join('\n');
  }

  clear(): void {
    this.entries.length = 0;
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

  request(
    method: string,
    path: string,
    headers: Record<string, string | string[]> = {},
    body?: string | Buffer,
  ): Promise<Exchange> {
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

export interface FaultApp {
  readonly app: INestApplication;
  readonly server: Server;
  readonly port: number;
  readonly logs: FaultLogger;
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
  /** @default a new {@link FaultLogger} */
  logger?: FaultLogger;
}

/**
 * Boots the fault app on Express (default) or Fastify with `rawBody: true`, listening on a free
 * loopback port, with `RakomiModule.forRoot(options)`, a global `RakomiAuthGuard`, `GET /me`,
 * `GET /health` (public) and `POST /hooks` (`@RakomiWebhook()`, 202).
 */
export async function startFaultApp(options: RakomiModuleOptions, init: FaultAppOptions = {}): Promise<FaultApp> {
  const logs = init.logger ?? new FaultLogger();
  const deliveries = init.deliveries ?? new DeliveryCounter();
  const module = FaultAppModule.with(options, deliveries);
  const appOptions = { rawBody: true, logger: logs, abortOnError: false } as const;
  const app: INestApplication =
    init.adapter === 'fastify'
      ? await NestFactory.create(module, new FastifyAdapter(), appOptions)
      : await NestFactory.create(module, new ExpressAdapter(), appOptions);
  await app.listen(0, '127.0.0.1');
  const server = app.getHttpServer() as Server;
  let received = 0;
  server.on('request', () => {
    received++;
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the fault app is not listening on a TCP port');
  const client = new FaultClient(address.port);
  return {
    app,
    server,
    port: address.port,
    logs,
    deliveries,
    client,
    received: () => received,
    async close() {
      client.close();
      await app.close();
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
