import { createAbortError, isAbortError, systemClock } from '../../../shared/clock';
import { createFakeClock } from '../../helpers/fake-clock';

describe('systemClock', () => {
  it('reads Date.now()', () => {
    const before = Date.now();
    const now = systemClock.nowMs();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });

  it('sleeps about as long as asked', async () => {
    const start = performance.now();
    await systemClock.sleep(20);
    // Timers may fire a millisecond early on some platforms; never much earlier.
    expect(performance.now() - start).toBeGreaterThanOrEqual(18);
  });

  it('rejects promptly with an AbortError when the signal aborts', async () => {
    const ac = new AbortController();
    const start = performance.now();
    const sleeping = systemClock.sleep(10_000, ac.signal);
    setTimeout(() => ac.abort(new Error('shutdown')), 5);
    const err: unknown = await sleeping.catch((e: unknown) => e);
    expect(isAbortError(err)).toBe(true);
    expect((err as Error).cause).toEqual(new Error('shutdown'));
    // 10 s asked, aborted after 5 ms: anything near a second would mean the abort was ignored.
    expect(performance.now() - start).toBeLessThan(1_000);
  });

  it('rejects at once when the signal has already aborted', async () => {
    await expect(systemClock.sleep(10_000, AbortSignal.abort())).rejects.toMatchObject({
      name: 'AbortError',
      code: 'ABORT_ERR',
    });
  });
});

describe('createAbortError / isAbortError', () => {
  it('recognises ours and DOM-style abort errors only', () => {
    expect(isAbortError(createAbortError())).toBe(true);
    expect(isAbortError(new DOMException('x', 'AbortError'))).toBe(true);
    expect(isAbortError(new Error('x'))).toBe(false);
    expect(isAbortError('AbortError')).toBe(false);
  });
});

describe('createFakeClock', () => {
  it('moves only when advanced and wakes sleepers in due order', async () => {
    const clock = createFakeClock(1_000);
    const woke: string[] = [];
    const track = (name: string, ms: number) =>
      clock.sleep(ms).then(() => woke.push(`${name}@${clock.nowMs()}`));
    const all = Promise.all([track('c', 300), track('a', 100), track('b', 200), track('a2', 100)]);

    expect(clock.pendingSleeps()).toBe(4);
    await clock.advance(150);
    expect(woke).toEqual(['a@1100', 'a2@1100']);
    expect(clock.nowMs()).toBe(1_150);

    await clock.advance(1_000);
    await all;
    expect(woke).toEqual(['a@1100', 'a2@1100', 'b@1200', 'c@1300']);
    expect(clock.nowMs()).toBe(2_150);
    expect(clock.sleepCalls).toEqual([300, 100, 200, 100]);
  });

  it('wakes a sleep scheduled by a woken continuation within the same advance', async () => {
    const clock = createFakeClock(0);
    const done = (async () => {
      await clock.sleep(100);
      await clock.sleep(100);
      return clock.nowMs();
    })();
    await clock.advance(500);
    await expect(done).resolves.toBe(200);
  });

  it('rejects an aborted sleep and forgets it', async () => {
    const clock = createFakeClock(0);
    const ac = new AbortController();
    const sleeping = clock.sleep(1_000, ac.signal);
    ac.abort();
    await expect(sleeping).rejects.toMatchObject({ name: 'AbortError' });
    expect(clock.pendingSleeps()).toBe(0);
  });
});
