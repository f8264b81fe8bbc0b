// Issue 10 item 4: the limiter behind every log line a request can trigger.
import { OncePerEpisode } from '../../lib/logging/once-per-episode.js';

function limiter(maxCauses = 3): { gate: OncePerEpisode; advance(ms: number): void } {
  let now = 0;
  return { gate: new OncePerEpisode({ quietMs: 1_000, maxCauses, clock: () => now }), advance: (ms) => (now += ms) };
}

describe('OncePerEpisode', () => {
  it('logs a cause once while it keeps recurring, then again after a quiet period', () => {
    const { gate, advance } = limiter();
    expect(gate.shouldLog('a')).toBe(true);
    for (let i = 0; i < 100; i++) {
      advance(999);
      expect(gate.shouldLog('a')).toBe(false); // recurring within quietMs: the episode goes on
    }
    advance(1_000);
    expect(gate.shouldLog('a')).toBe(true);
  });

  it('tracks causes independently', () => {
    const { gate } = limiter();
    expect([gate.shouldLog('a'), gate.shouldLog('b'), gate.shouldLog('a'), gate.shouldLog('b')]).toEqual([true, true, false, false]);
  });

  it('bounds distinct causes: beyond maxCauses they share one line per episode', () => {
    const { gate, advance } = limiter(3);
    const logged = Array.from({ length: 1_000 }, (_, i) => gate.shouldLog(`cause-${i}`)).filter(Boolean).length;
    expect(logged).toBe(4); // three tracked causes + one shared overflow line
    advance(1_000);
    expect(gate.shouldLog('cause-999')).toBe(true); // ended episodes make room again
  });
});
