import { performance } from 'node:perf_hooks';

/** Options of {@link OncePerEpisode}. */
export interface OncePerEpisodeOptions {
  /** A cause unseen for this long ends its episode; its next occurrence is logged again. @default 300000 */
  quietMs?: number;
  /** Most causes tracked at once; beyond it, new causes share one line per episode. @default 256 */
  maxCauses?: number;
  /** Monotonic clock in ms. @default performance.now */
  clock?: () => number;
}

/**
 * Bounds the log lines that requests can trigger: a cause is logged once per episode, where an
 * episode lasts while the cause keeps recurring less than `quietMs` apart. Memory and output are
 * bounded too: at most `maxCauses` causes are tracked, and new ones beyond that share a single
 * line per episode, so varying request input cannot produce unbounded lines.
 */
export class OncePerEpisode {
  private readonly quietMs: number;
  private readonly maxCauses: number;
  private readonly clock: () => number;
  /** Cause → when it was last seen, least recently seen first. */
  private readonly lastSeen = new Map<string, number>();
  /** When a cause that found no room was last seen (they share one episode). */
  private overflowSeen: number | undefined;

  constructor(options: OncePerEpisodeOptions = {}) {
    this.quietMs = options.quietMs ?? 300_000;
    this.maxCauses = options.maxCauses ?? 256;
    this.clock = options.clock ?? (() => performance.now());
  }

  /** True when `cause` starts a new episode (log it now); false while its episode lasts. */
  shouldLog(cause: string): boolean {
    const now = this.clock();
    if (!this.lastSeen.has(cause) && !this.hasRoom(now)) {
      const seen = this.overflowSeen;
      this.overflowSeen = now;
      return seen === undefined || now - seen >= this.quietMs;
    }
    const seen = this.lastSeen.get(cause);
    this.lastSeen.delete(cause); // re-insert: the map stays ordered by last sighting
    this.lastSeen.set(cause, now);
    return seen === undefined || now - seen >= this.quietMs;
  }

  /** Forgets causes whose episode has ended; true when a new cause can be tracked. */
  private hasRoom(now: number): boolean {
    for (const [cause, seen] of this.lastSeen) {
      if (this.lastSeen.size < this.maxCauses || now - seen < this.quietMs) break;
      this.lastSeen.delete(cause);
    }
    return this.lastSeen.size < this.maxCauses;
  }
}
