/**
 * Time as a dependency. Everything that reads "now" or waits takes a `Clock`, so tests drive
 * time with the fake in `test/helpers/fake-clock.ts` instead of real timers (otplib's
 * injectable `epoch`, Temporal's test environment).
 */

/** Reads the time and waits. `sleep` must reject promptly when its signal aborts. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  nowMs(): number;
  /**
   * Resolves after `ms` milliseconds (negative counts as 0). Rejects with an `AbortError`
   * (see {@link createAbortError}) as soon as `signal` aborts, or at once if it already has.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/**
 * The error a sleep rejects with when its signal aborts: `name` is `AbortError` and `code` is
 * `ABORT_ERR`, as in Node's `timers/promises`; the signal's reason is kept as `cause`.
 */
export function createAbortError(signal?: AbortSignal): Error {
  const err = new Error('The operation was aborted', { cause: signal?.reason });
  err.name = 'AbortError';
  return Object.assign(err, { code: 'ABORT_ERR' });
}

/**
 * True for the error of an aborted sleep (ours, Node's, or a DOM `AbortError`). Checks the name,
 * not `instanceof`, because DOMException and errors from other realms fail `instanceof Error`.
 */
export function isAbortError(err: unknown): boolean {
  return (
    typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'AbortError'
  );
}

/** The real clock: `Date.now()` and `setTimeout`. */
export const systemClock: Clock = Object.freeze({
  nowMs: () => Date.now(),
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(createAbortError(signal));
        return;
      }
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(createAbortError(signal));
      };
      const timer = setTimeout(
        () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        Math.max(0, ms),
      );
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  },
});
