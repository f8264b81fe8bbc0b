import { performance } from 'node:perf_hooks';

/** Monotonic time and timers of the JWKS key store; tests pass a clock they drive. */
export interface JwksClock {
  /** Monotonic milliseconds (JWKS timing does not follow the `now` option). */
  now(): number;
  /** Runs `callback` after `ms` without keeping the process alive; returns its cancel function. */
  schedule(callback: () => void, ms: number): () => void;
}

/** Real time: `performance.now()` and unref'd `setTimeout`. */
export const SYSTEM_CLOCK: JwksClock = {
  now: () => performance.now(),
  schedule(callback, ms) {
    const timer = setTimeout(callback, ms);
    timer.unref();
    return () => clearTimeout(timer);
  },
};
