/**
 * A Clock whose time moves only when a test says so. Sleepers wake in the order of their due
 * time (ties in the order they went to sleep), and the clock reads each sleeper's due time at
 * the moment it wakes, so code that loops on `sleep` sees consistent time.
 */
import { createAbortError, type Clock } from '../../shared/clock';

/** A {@link Clock} driven by {@link FakeClock.advance}. */
export interface FakeClock extends Clock {
  /**
   * Moves time forward by `ms`, waking every sleeper due on the way, and lets each woken
   * continuation run (and sleep again) before moving on. Ends with the clock at start + `ms`.
   */
  advance(ms: number): Promise<void>;
  /** How many sleeps are waiting. */
  pendingSleeps(): number;
  /** Every `ms` passed to `sleep` so far, in call order (to assert how long code chose to wait). */
  readonly sleepCalls: readonly number[];
}

interface Sleeper {
  readonly dueMs: number;
  readonly seq: number;
  readonly resolve: () => void;
}

/** Lets promise continuations (several `await` hops deep) run before the next timer fires. */
async function flushContinuations(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
}

/** Creates a fake clock reading `startMs`. */
export function createFakeClock(startMs: number): FakeClock {
  let now = startMs;
  let seq = 0;
  let sleepers: Sleeper[] = [];
  const sleepCalls: number[] = [];

  const takeNextDue = (untilMs: number): Sleeper | undefined => {
    let next: Sleeper | undefined;
    for (const s of sleepers) {
      if (s.dueMs > untilMs) continue;
      if (!next || s.dueMs < next.dueMs || (s.dueMs === next.dueMs && s.seq < next.seq)) next = s;
    }
    if (next) sleepers = sleepers.filter((s) => s !== next);
    return next;
  };

  return {
    nowMs: () => now,
    sleepCalls,
    pendingSleeps: () => sleepers.length,
    sleep(ms: number, signal?: AbortSignal): Promise<void> {
      sleepCalls.push(ms);
      return new Promise<void>((resolve, reject) => {
        if (signal?.aborted) {
          reject(createAbortError(signal));
          return;
        }
        const sleeper: Sleeper = {
          dueMs: now + Math.max(0, ms),
          seq: seq++,
          resolve: () => {
            signal?.removeEventListener('abort', onAbort);
            resolve();
          },
        };
        const onAbort = (): void => {
          sleepers = sleepers.filter((s) => s !== sleeper);
          reject(createAbortError(signal));
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        sleepers.push(sleeper);
      });
    },
    async advance(ms: number): Promise<void> {
      const target = now + ms;
      await flushContinuations();
      for (let next = takeNextDue(target); next; next = takeNextDue(target)) {
        now = Math.max(now, next.dueMs);
        next.resolve();
        await flushContinuations();
      }
      now = target;
    },
  };
}
