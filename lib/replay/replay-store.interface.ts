/**
 * Remembers webhook deliveries that were already accepted, so an exact replay is acknowledged
 * without running the handler twice. Implementations must be atomic across instances.
 */
export interface ReplayStore {
  /**
   * Records `key` for `ttlSeconds`.
   * @returns `true` the first time the key is seen within its ttl, `false` for a replay.
   * @throws when the store is unreachable; callers fail closed.
   */
  claim(key: string, ttlSeconds: number): Promise<boolean>;
  /** Optional reachability check for health reports; rejects when the store cannot answer. */
  ping?(): Promise<void>;
}
