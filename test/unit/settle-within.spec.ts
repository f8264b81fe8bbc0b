import { settleWithin } from '../../lib/replay/settle-within.js';

const timedOut = (): Error => new Error('deadline');

describe('settleWithin (the deadline every replay-store claim runs under)', () => {
  it('resolves with the operation’s value when it is in time', async () => {
    await expect(settleWithin(() => Promise.resolve(true), 1_000, timedOut)).resolves.toBe(true);
  });

  it('rejects with the operation’s error, also for a synchronous throw', async () => {
    const failure = new Error('down');
    await expect(settleWithin(() => Promise.reject(failure), 1_000, timedOut)).rejects.toBe(failure);
    await expect(
      settleWithin(
        () => {
          throw failure;
        },
        1_000,
        timedOut,
      ),
    ).rejects.toBe(failure);
  });

  it('rejects with the timeout error when the operation never settles, and ignores a late answer', async () => {
    let answer: (value: boolean) => void = () => undefined;
    const pending = new Promise<boolean>((resolve) => {
      answer = resolve;
    });
    const settled = settleWithin(() => pending, 20, timedOut);
    await expect(settled).rejects.toThrow('deadline');
    answer(true);
    await expect(settled).rejects.toThrow('deadline');
  });
});
