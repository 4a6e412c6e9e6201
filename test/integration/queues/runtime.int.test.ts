/** The error → BullMQ mapping of workers/runtime.ts against a real Worker on real Redis. */
import { Queue, type Worker } from 'bullmq';
import pino from 'pino';
import { closeConnections, dedicatedConnection } from '../../../queues/connection';
import type { Outcome } from '../../../queues/jobs';
import { JobName, QueueName } from '../../../queues/names';
import {
  FatalWorkerError,
  PermanentError,
  RetryLaterError,
  TransientError,
} from '../../../shared/errors';
import { createWorker, toProcessor, type Handler } from '../../../workers/runtime';
import { openTestRedis, waitForJobState, type TestRedis } from '../../helpers/redis';

const accountId = '65f0c0ffee0123456789abcd';
const payload = { v: 1, accountId, requestId: 'req-1' };
const log = pino({ level: 'silent' });

let t: TestRedis;
let queue: Queue;
let worker: Worker<unknown, Outcome> | undefined;

beforeAll(() => {
  t = openTestRedis();
});
beforeEach(() => {
  queue = new Queue(QueueName.Enrollment, {
    connection: dedicatedConnection('producer', t.config),
    prefix: t.config.redis.prefix,
  });
});
afterEach(async () => {
  await worker?.close();
  worker = undefined;
  await queue.obliterate({ force: true });
  await queue.close();
  await (queue.opts.connection as { quit(): Promise<unknown> }).quit();
});
afterAll(async () => {
  await closeConnections();
  await t.cleanup();
});

function start(handler: Handler<'reconcile-2fa'>, onFatal = jest.fn()): void {
  worker = createWorker(
    QueueName.Enrollment,
    toProcessor(JobName.Reconcile2fa, handler, { log, onFatal }),
    { config: t.config, concurrency: 1, log },
  );
}

/** 3 attempts, 20 ms fixed backoff: retries in milliseconds instead of the minutes of prod. */
const retrying = { attempts: 3, backoff: { type: 'fixed', delay: 20 } } as const;

describe('runtime on a real Worker', () => {
  it('retries a TransientError until attempts are exhausted', async () => {
    const handler = jest.fn(() => Promise.reject(new TransientError('nav_timeout', 'slow')));
    start(handler);
    const job = await queue.add(JobName.Reconcile2fa, payload, retrying);
    await waitForJobState(queue, job.id!, ['failed']);
    const failed = (await queue.getJob(job.id!))!;
    expect(handler).toHaveBeenCalledTimes(3);
    expect(failed.attemptsMade).toBe(3);
    expect(failed.failedReason).toBe('nav_timeout: slow');
  });

  it('fails a PermanentError once with "<code>: <message>"', async () => {
    const handler = jest.fn(() =>
      Promise.reject(new PermanentError('account_not_found', `no account ${accountId}`)),
    );
    start(handler);
    const job = await queue.add(JobName.Reconcile2fa, payload, retrying);
    await waitForJobState(queue, job.id!, ['failed']);
    const failed = (await queue.getJob(job.id!))!;
    expect(handler).toHaveBeenCalledTimes(1);
    expect(failed.failedReason).toBe(`account_not_found: no account ${accountId}`);
  });

  it('delays a RetryLaterError without spending an attempt, then completes', async () => {
    const attempts: number[] = [];
    let calls = 0;
    start((_data, ctx) => {
      attempts.push(ctx.attempt);
      calls += 1;
      if (calls === 1) {
        return Promise.reject(new RetryLaterError('step_rollover', 'window ends in 2 s', 300));
      }
      return Promise.resolve({ status: 'done' });
    });
    const job = await queue.add(JobName.Reconcile2fa, payload, retrying);
    await waitForJobState(queue, job.id!, ['delayed']);
    const parked = (await queue.getJob(job.id!))!;
    expect(parked.attemptsMade).toBe(0);
    await waitForJobState(queue, job.id!, ['completed']);
    const done = (await queue.getJob(job.id!))!;
    expect(attempts).toEqual([1, 1]);
    expect(done.attemptsStarted).toBe(2);
    // Completion counts the one attempt that finished; the parked start spent none.
    expect(done.attemptsMade).toBe(1);
    expect(done.returnvalue).toEqual({ status: 'done' });
  });

  it('calls onFatal for a FatalWorkerError and leaves the job to be retried', async () => {
    const onFatal = jest.fn<void, [FatalWorkerError]>();
    let calls = 0;
    start(() => {
      calls += 1;
      if (calls === 1) {
        return Promise.reject(new FatalWorkerError('no_key_ring', 'SECRET_KEYS missing'));
      }
      return Promise.resolve({ status: 'done' });
    }, onFatal);
    const job = await queue.add(JobName.Reconcile2fa, payload, retrying);
    await waitForJobState(queue, job.id!, ['completed']);
    expect(onFatal).toHaveBeenCalledTimes(1);
    expect(onFatal.mock.calls[0]![0]).toMatchObject({ code: 'no_key_ring' });
  });

  it('fails an invalid payload once as invalid_payload', async () => {
    const handler = jest.fn();
    start(handler);
    const job = await queue.add(JobName.Reconcile2fa, { v: 1, accountId: 'nope' }, retrying);
    await waitForJobState(queue, job.id!, ['failed']);
    const failed = (await queue.getJob(job.id!))!;
    expect(handler).not.toHaveBeenCalled();
    expect(failed.attemptsMade).toBe(1);
    expect(failed.failedReason).toMatch(/^invalid_payload: accountId: .*; requestId: /);
  });
});
