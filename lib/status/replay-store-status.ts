import type { ReplayStore } from '../replay/replay-store.interface.js';
import { MemoryReplayStore } from '../replay/memory-replay.store.js';
import type { ReplayStoreStatus } from './rakomi-status.interface.js';

/** Pings the replay store (Redis: `PING`, bounded by the store's timeout); never throws. */
export async function checkReplayStore(store: ReplayStore | false): Promise<ReplayStoreStatus> {
  if (store === false) return { state: 'disabled' };
  if (store instanceof MemoryReplayStore) return { state: 'up' };
  if (typeof store.ping !== 'function') return { state: 'unknown' };
  try {
    await store.ping();
    return { state: 'up' };
  } catch {
    return { state: 'down' };
  }
}
