/**
 * Time, sleeping and randomness for the CloudWatch runner, injectable so that polling, backoff and
 * query timeouts are tested deterministically without real waiting.
 */

/** What the runner needs from the outside world's clock. */
export interface RunnerClock {
  now(): number;
  /** Resolves after `ms`, or rejects with the signal's reason as soon as it is aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** In [0, 1), for jitter. */
  random(): number;
}

/** The real clock: Date.now, setTimeout and Math.random. */
export const systemClock: RunnerClock = {
  now: () => Date.now(),
  random: () => Math.random(),
  sleep(ms, signal) {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted === true) {
        reject(signal.reason as Error);
        return;
      }
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(signal?.reason as Error);
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  },
};

/** Exponential backoff settings. */
export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
  factor: number;
}

/** Refusals (LimitExceeded, throttling): start at 500 ms, double, never wait more than 20 s at once. */
export const REFUSAL_BACKOFF: BackoffPolicy = { baseMs: 500, maxMs: 20_000, factor: 2 };
/** Polling GetQueryResults: 250 ms growing to 2 s, so short queries answer fast and long ones cost few calls. */
export const POLL_BACKOFF: BackoffPolicy = { baseMs: 250, maxMs: 2_000, factor: 1.5 };

/**
 * The delay before attempt `attempt` (0-based), with "equal jitter": half fixed, half random, so that
 * many queries refused at the same moment do not all come back at the same moment.
 */
export function backoffDelay(policy: BackoffPolicy, attempt: number, random: () => number): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * policy.factor ** attempt);
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}
