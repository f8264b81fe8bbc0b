import type { JwksSnapshot } from '../jwks/jwks-snapshot.js';
import type { KeySetStatus, KeySetState } from './rakomi-status.interface.js';

const seconds = (ms: number): number => Math.round(ms / 100) / 10;

function stateOf(snapshot: JwksSnapshot): KeySetState {
  if (snapshot.fetchedAgoMs !== undefined && snapshot.freshForMs > 0) return 'fresh';
  if (snapshot.fetchedAgoMs !== undefined && snapshot.servableForMs > 0) return 'stale';
  return snapshot.lastFailureCode === undefined && snapshot.fetchedAgoMs === undefined ? 'unloaded' : 'failing';
}

/** The key store's snapshot as the status report shows it (seconds, catalog codes). */
export function describeKeySet(snapshot: JwksSnapshot): KeySetStatus {
  const state = stateOf(snapshot);
  const failed = snapshot.lastFailureCode !== undefined;
  return {
    state,
    serving: state !== 'failing',
    ageSeconds: snapshot.fetchedAgoMs === undefined ? null : seconds(snapshot.fetchedAgoMs),
    keys: snapshot.keyCount,
    lastError: snapshot.lastFailureCode ?? null,
    nextRetrySeconds: failed ? seconds(snapshot.retryInMs) : null,
  };
}
