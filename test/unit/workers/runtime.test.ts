import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import pino from 'pino';
import type { Outcome } from '../../../queues/jobs';
import { JobName } from '../../../queues/names';
import {
  FatalWorkerError,
  NeedsHumanError,
  PermanentError,
  RetryLaterError,
  TransientError,
} from '../../../shared/errors';
import {
  gracefulShutdown,
  MAX_STARTS,
  routeByName,
  toProcessor,
  type JobContext,
} from '../../../workers/runtime';

const accountId = '65f0c0ffee0123456789abcd';
const payload = { v: 1, accountId, requestId: 'req-1' };
const log = pino({ level: 'silent' });

function fakeJob(overrides: Partial<Job> = {}) {
  return {
    id: 'job-1',
    name: JobName.Reconcile2fa,
    queueName: 'enrollment',
    data: payload,
    attemptsMade: 0,
    attemptsStarted: 1,
    moveToDelayed: jest.fn(() => Promise.resolve()),
    updateProgress: jest.fn(() => Promise.resolve()),
    ...overrides,
  } as unknown as Job & { moveToDelayed: jest.Mock; updateProgress: jest.Mock };
}

/** The rejection of `p` (or undefined when it resolves). */
const caught = (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );

function processorThrowing(err: unknown, onFatal = jest.fn()) {
  return toProcessor(
    JobName.Reconcile2fa,
    () => Promise.reject(err instanceof Error ? err : new Error(String(err))),
    { log, onFatal },
  );
}

describe('toProcessor', () => {
  it('hands a job back (delayed now, no attempt spent) when it ends after the hand-back signal', async () => {
    const handBack = new AbortController();
    let seen: AbortSignal | undefined;
    const processor = toProcessor(
      JobName.Reconcile2fa,
      (_data, ctx) => {
        seen = ctx.signal;
        handBack.abort();
        return Promise.reject(
          ctx.signal.aborted ? new NeedsHumanError('aborted', 'x') : new Error('no signal'),
        );
      },
      { log, onFatal: jest.fn(), handBack: handBack.signal },
    );
    const job = fakeJob();
    const before = Date.now();
    const err = await caught(processor(job, 'tok', new AbortController().signal));
    expect(err).toBeInstanceOf(DelayedError);
    expect(seen?.aborted).toBe(true);
    expect(job.moveToDelayed).toHaveBeenCalledWith(expect.any(Number), 'tok');
    const [at] = job.moveToDelayed.mock.calls[0] as [number];
    expect(at).toBeGreaterThanOrEqual(before);
    expect(at).toBeLessThanOrEqual(Date.now());
  });

  it('passes the parsed payload and a context, and returns the outcome', async () => {
    let seen: JobContext | undefined;
    const job = fakeJob({ attemptsMade: 2 });
    const processor = toProcessor(
      JobName.Reconcile2fa,
      async (data, ctx) => {
        seen = ctx;
        await ctx.progress('opening_settings');
        return { status: 'done', detail: data.accountId } satisfies Outcome;
      },
      { log, onFatal: jest.fn() },
    );
    const signal = new AbortController().signal;
    await expect(processor(job, 'tok', signal)).resolves.toEqual({
      status: 'done',
      detail: accountId,
    });
    expect(seen).toMatchObject({ attempt: 3, jobId: 'job-1', token: 'tok', signal });
    expect(job.updateProgress).toHaveBeenCalledWith({ step: 'opening_settings' });
  });

  it('declares three parameters so BullMQ hands it the abort signal', () => {
    expect(toProcessor(JobName.Reconcile2fa, jest.fn(), { log, onFatal: jest.fn() }).length).toBe(
      3,
    );
  });

  it('refuses an invalid payload as invalid_payload without calling the handler', async () => {
    const handler = jest.fn();
    const processor = toProcessor(JobName.Reconcile2fa, handler, { log, onFatal: jest.fn() });
    const err = await caught(processor(fakeJob({ data: { v: 1, accountId } }), 'tok'));
    expect(err).toBeInstanceOf(UnrecoverableError);
    expect((err as Error).message).toMatch(/^invalid_payload: requestId: /);
    expect(handler).not.toHaveBeenCalled();
  });

  it('refuses a job of another name', async () => {
    const processor = toProcessor(JobName.Reconcile2fa, jest.fn(), { log, onFatal: jest.fn() });
    await expect(processor(fakeJob({ name: 'session-check' }), 'tok')).rejects.toThrow(
      'unexpected_job_name: session-check',
    );
  });

  it('maps PermanentError and NeedsHumanError to UnrecoverableError("<code>: <message>")', async () => {
    for (const err of [
      new PermanentError('account_not_found', 'no account a1'),
      new NeedsHumanError('linkedin_2fa_already_on', '2FA is on and we hold no key', 'Turn it off'),
    ]) {
      const thrown = await caught(processorThrowing(err)(fakeJob(), 'tok'));
      expect(thrown).toBeInstanceOf(UnrecoverableError);
      expect((thrown as Error).message).toBe(`${err.code}: ${err.message}`);
    }
  });

  it('parks a RetryLaterError with moveToDelayed and DelayedError', async () => {
    const job = fakeJob();
    const before = Date.now();
    const thrown = await caught(
      processorThrowing(new RetryLaterError('step_rollover', 'wait', 4_000))(job, 'tok'),
    );
    expect(thrown).toBeInstanceOf(DelayedError);
    const [at, token] = job.moveToDelayed.mock.calls[0] as [number, string];
    expect(token).toBe('tok');
    expect(at).toBeGreaterThanOrEqual(before + 4_000);
  });

  it('gives up parking after MAX_STARTS starts', async () => {
    const job = fakeJob({ attemptsStarted: MAX_STARTS });
    const thrown = await caught(
      processorThrowing(new RetryLaterError('step_rollover', 'wait', 10))(job, 'tok'),
    );
    expect(thrown).toBeInstanceOf(UnrecoverableError);
    expect((thrown as Error).message).toMatch(/^retry_later_exhausted: step_rollover after 20/);
    expect(job.moveToDelayed).not.toHaveBeenCalled();
  });

  it('calls onFatal and rethrows a FatalWorkerError', async () => {
    const onFatal = jest.fn();
    const err = new FatalWorkerError('no_key_ring', 'SECRET_KEYS missing');
    await expect(processorThrowing(err, onFatal)(fakeJob(), 'tok')).rejects.toBe(err);
    expect(onFatal).toHaveBeenCalledWith(err);
  });

  it('rethrows transient and unknown errors for BullMQ to retry', async () => {
    const transient = new TransientError('navigation_timeout', 'took 30 s');
    const thrown = await caught(processorThrowing(transient)(fakeJob(), 'tok'));
    expect(thrown).not.toBeInstanceOf(UnrecoverableError);
    expect(thrown).toMatchObject({ message: 'navigation_timeout: took 30 s', cause: transient });
    await expect(processorThrowing('boom')(fakeJob(), 'tok')).rejects.toThrow('boom');
  });
});

describe('routeByName', () => {
  it('dispatches on job.name and refuses unknown names', async () => {
    const reconcile = jest.fn(() => Promise.resolve<Outcome>({ status: 'done' }));
    const route = routeByName({ [JobName.Reconcile2fa]: reconcile });
    await expect(route(fakeJob(), 'tok')).resolves.toEqual({ status: 'done' });
    await expect(route(fakeJob({ name: 'verify-imported-key' }), 'tok')).rejects.toThrow(
      UnrecoverableError,
    );
  });
});

describe('gracefulShutdown', () => {
  it('closes the worker, then the extras, once however often it is called', async () => {
    const order: string[] = [];
    const worker = { close: jest.fn(() => Promise.resolve(void order.push('worker'))) };
    const extra = jest.fn(() => Promise.resolve(void order.push('extra')));
    const shutdown = gracefulShutdown(worker, extra);
    await Promise.all([shutdown(), shutdown()]);
    await shutdown();
    expect(order).toEqual(['worker', 'extra']);
  });

  it('hands the jobs back once the grace period is over, not before', async () => {
    jest.useFakeTimers();
    try {
      const handBack = new AbortController();
      let finish!: () => void;
      const worker = { close: () => new Promise<void>((r) => (finish = r)) };
      const shutdown = gracefulShutdown(worker, undefined, { graceMs: 5_000, handBack });
      const done = shutdown();
      jest.advanceTimersByTime(4_999);
      expect(handBack.signal.aborted).toBe(false);
      jest.advanceTimersByTime(1);
      expect(handBack.signal.aborted).toBe(true);
      finish();
      await done;
    } finally {
      jest.useRealTimers();
    }
  });

  it('does not hand back jobs that finished within the grace period', async () => {
    jest.useFakeTimers();
    try {
      const handBack = new AbortController();
      const shutdown = gracefulShutdown({ close: () => Promise.resolve() }, undefined, {
        graceMs: 5_000,
        handBack,
      });
      await shutdown();
      jest.advanceTimersByTime(10_000);
      expect(handBack.signal.aborted).toBe(false);
    } finally {
      jest.useRealTimers();
    }
  });

  it('still runs the extras when closing the worker fails', async () => {
    const extra = jest.fn(() => Promise.resolve());
    const shutdown = gracefulShutdown({ close: () => Promise.reject(new Error('x')) }, extra);
    await expect(shutdown()).rejects.toThrow('x');
    expect(extra).toHaveBeenCalledTimes(1);
  });
});
