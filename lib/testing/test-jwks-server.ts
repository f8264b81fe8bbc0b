import type { Buffer } from 'node:buffer';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The JWKS path, as the SDK derives it from `baseUrl`. */
export const JWKS_PATH = '/.well-known/jwks.json';
/** How many requests {@link TestJwksServer.requests} keeps. */
const MAX_RECORDED_REQUESTS = 100;

/** A programmed JWKS response; unset members keep the normal behaviour. */
export interface TestJwksFault {
  /** HTTP status. @default 200 */
  status?: number;
  /** Extra response headers. */
  headers?: Record<string, string>;
  /** Body sent instead of the JWKS document (the default body of a non-2xx status is empty). */
  body?: string | Buffer;
  /** Answer only after this many milliseconds. */
  delayMs?: number;
  /** Accept the request and never answer. */
  hang?: boolean;
}

/** Serves a request completely (after the hit was counted): redirects, gzip bombs, endless bodies… */
export type TestJwksHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** A request the issuer's server received. */
export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
}

/**
 * The issuer's HTTP server on 127.0.0.1: serves the JWK Set at {@link JWKS_PATH} (404 elsewhere),
 * counts and records requests, and answers with a programmed fault or handler when one is set.
 */
export class TestJwksServer {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** Programmed response, until set back to `undefined`. */
  fault: TestJwksFault | undefined;
  /** Answers every request instead of the normal serving, until set back to `undefined`. */
  handler: TestJwksHandler | undefined;

  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly recorded: RecordedRequest[] = [];
  private hitCount = 0;

  private constructor(
    private readonly server: Server,
    private readonly jwks: () => object,
  ) {
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    server.on('request', (req, res) => this.serve(req, res));
  }

  /** Listens on `port` of 127.0.0.1 (0: a free port) and serves the JWK Set `jwks()` returns. */
  static async start(port: number, jwks: () => object): Promise<TestJwksServer> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    return new TestJwksServer(server, jwks);
  }

  /** Requests served so far, on any path, faults and hangs included. */
  get hits(): number {
    return this.hitCount;
  }

  /** The last requests received, oldest first. */
  get requests(): readonly RecordedRequest[] {
    return this.recorded;
  }

  /** Sets {@link hits} back to 0 and forgets the recorded requests. */
  resetHits(): void {
    this.hitCount = 0;
    this.recorded.length = 0;
  }

  /** Stops the server, drops open connections (hanging ones too) and pending delays. */
  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  private serve(req: IncomingMessage, res: ServerResponse): void {
    this.hitCount++;
    this.recorded.push({ method: req.method ?? '', url: req.url ?? '', headers: { ...req.headers } });
    if (this.recorded.length > MAX_RECORDED_REQUESTS) this.recorded.shift();
    req.resume();
    if (this.handler !== undefined) {
      this.handler(req, res);
      return;
    }
    const fault = this.fault;
    if (fault?.hang) return;
    const isJwks = req.method === 'GET' && req.url === JWKS_PATH;
    const status = fault?.status ?? (isJwks ? 200 : 404);
    const ok = status >= 200 && status < 300;
    const body = fault?.body ?? (ok && isJwks ? JSON.stringify(this.jwks()) : '');
    const respond = (): void => {
      if (res.destroyed) return;
      const headers = { ...fault?.headers };
      if (!Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')) {
        headers['Content-Type'] = 'application/json';
      }
      res.writeHead(status, headers);
      res.end(body);
    };
    if (fault?.delayMs === undefined) return respond();
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      respond();
    }, fault.delayMs);
    this.timers.add(timer);
  }
}
