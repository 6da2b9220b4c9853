import { InterruptedError } from '../errors.js';

/**
 * Settles like `promise`, or rejects with the signal's reason (an InterruptedError) as soon as the
 * signal aborts. For the describe calls before any query runs: nothing needs stopping then, so Ctrl-C
 * must not wait for a slow AWS answer (the call itself is abandoned, main exits at once).
 */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  const reason = (): Error => (signal.reason instanceof Error ? signal.reason : new InterruptedError());
  if (signal.aborted) return Promise.reject(reason());
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(reason());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
