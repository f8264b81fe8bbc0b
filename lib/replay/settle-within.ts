/**
 * Settles like `operation()`, or rejects with `timeoutError()` after `ms` milliseconds, whichever
 * comes first; a late result is ignored. A synchronous throw from `operation` rejects too.
 */
export function settleWithin<T>(operation: () => PromiseLike<T> | T, ms: number, timeoutError: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(timeoutError()), ms);
    const settled =
      <A>(settle: (value: A) => void) =>
      (value: A): void => {
        clearTimeout(timer);
        settle(value);
      };
    try {
      Promise.resolve(operation()).then(settled(resolve), settled(reject));
    } catch (error) {
      settled(reject)(error);
    }
  });
}
