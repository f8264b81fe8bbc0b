// MemoryReplayStore: the default, single-instance replay store.
import { MemoryReplayStore, ReplayStoreFullError } from '../../lib/replay/memory-replay.store.js';

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

  it('never forgets an unexpired key: when full, a new claim fails closed and every held key stays a replay', async () => {
    let now = 1_000_000;
    const store = new MemoryReplayStore({ maxEntries: 3, now: () => now });
    for (const key of ['a', 'b', 'c']) await expect(store.claim(key, 60)).resolves.toBe(true);
    await expect(store.claim('d', 60)).rejects.toThrow(ReplayStoreFullError);
    for (const key of ['a', 'b', 'c']) await expect(store.claim(key, 60)).resolves.toBe(false);
    now += 60_000; // all three expire: room again
    await expect(store.claim('d', 60)).resolves.toBe(true);
    await expect(store.claim('a', 60)).resolves.toBe(true);
  });

  it('makes room from expired keys even when ttls differ (not in expiry order)', async () => {
    let now = 0;
    const store = new MemoryReplayStore({ maxEntries: 2, now: () => now });
    await store.claim('long', 600);
    await store.claim('short', 10);
    now += 10_000;
    await expect(store.claim('new', 60)).resolves.toBe(true);
    await expect(store.claim('long', 600)).resolves.toBe(false);
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
