/**
 * A counting semaphore: at most `size` CloudWatch queries run at once (`--max-concurrent`). A slot is
 * held from StartQuery to the end of polling only, never while a query waits for its split halves, so
 * splitting can never deadlock the pool.
 */

/** Runs tasks with at most `size` at once, in arrival order. */
export interface QueryPool {
  run<T>(task: () => Promise<T>): Promise<T>;
  readonly active: number;
}

/** Creates a pool of `size` slots (at least 1). */
export function createQueryPool(size: number): QueryPool {
  const limit = Math.max(1, Math.floor(size));
  let active = 0;
  const waiting: (() => void)[] = [];

  const acquire = async (): Promise<void> => {
    if (active < limit) {
      active += 1;
      return;
    }
    await new Promise<void>((resolve) => waiting.push(resolve));
  };
  const release = (): void => {
    const next = waiting.shift();
    // Hand the slot straight to the next task, so `active` never dips and lets a newcomer jump the queue.
    if (next !== undefined) next();
    else active -= 1;
  };

  return {
    get active() {
      return active;
    },
    async run(task) {
      await acquire();
      try {
        return await task();
      } finally {
        release();
      }
    },
  };
}
