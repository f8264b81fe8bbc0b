// MemoryReplayStore: the default, single-instance replay store.
import { MemoryReplayStore } from '../../lib/replay/memory-replay.store.js';

describe('MemoryReplayStore', () => {
  it('first claim true, second false, other keys independent', async () => {
    const store = new MemoryReplayStore();
    await expect(store.claim('a', 60)).resolves.toBe(true);
    await expect(store.claim('a', 60)).resolves.toBe(false);
    await expect(store.claim('b', 60)).resolves.toBe(true);
  });

  it('honours the ttl on its clock: claimable again once expired, not one millisecond before', async () => {
    let now = 1_000_000;
    const store = new MemoryReplayStore({ now: () => now });
    await expect(store.claim('a', 10)).resolves.toBe(true);
    now += 9_999;
    await expect(store.claim('a', 10)).resolves.toBe(false);
    now += 1;
    await expect(store.claim('a', 10)).resolves.toBe(true);
  });

  it('stays bounded: beyond maxEntries the oldest key is forgotten first', async () => {
    const store = new MemoryReplayStore({ maxEntries: 3 });
    for (const key of ['a', 'b', 'c', 'd']) await expect(store.claim(key, 60)).resolves.toBe(true);
    await expect(store.claim('d', 60)).resolves.toBe(false);
    await expect(store.claim('c', 60)).resolves.toBe(false);
    await expect(store.claim('a', 60)).resolves.toBe(true);
  });

  it('concurrent claims of one key: exactly one wins', async () => {
    const store = new MemoryReplayStore();
    const results = await Promise.all(Array.from({ length: 100 }, () => store.claim('same', 60)));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it.each([0, -1, 1.5, Number.NaN])('maxEntries %p → RangeError', (maxEntries) => {
    expect(() => new MemoryReplayStore({ maxEntries })).toThrow(RangeError);
  });
});
