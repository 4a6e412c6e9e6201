/**
 * The producer side end to end on real Redis and FerretDB: toggle guard → deduplicated
 * enqueue → a real Worker through workers/runtime.ts → waitForOutcome.
 */
import type { Queue, Worker } from 'bullmq';
import pino from 'pino';
import {
  closeConnections,
  createFleetClient,
  createProducer,
  JobName,
  QueueName,
  WaitTimeoutError,
  type FleetClient,
  type Outcome,
  type Producer,
} from '../../../queues';
import {
  createDesiredStateRepo,
  ToggleCooldownError,
  type DesiredStateRepo,
} from '../../../shared/db/desired-state.repo';
import { createVault } from '../../../shared/crypto';
import { PermanentError, ValidationError } from '../../../shared/errors';
import { createWorker, toProcessor, type Handler } from '../../../workers/runtime';
import { openTestRepositories, type TestDatabase } from '../../helpers/mongo';
import type { Repositories } from '../../../shared/db';
import { openTestRedis, waitForJobState, type TestRedis } from '../../helpers/redis';

const log = pino({ level: 'silent' });
/** No cooldown and a high limit, so tests can flip freely; the guard has its own tests. */
const free = { cooldownSeconds: 0, dailyLimit: 1_000 };
const actor = { actor: 'cli' };

let t: TestRedis;
let db: TestDatabase;
let repos: Repositories;
let vault: ReturnType<typeof createVault>;
let desired: DesiredStateRepo;
let client: FleetClient;
let producer: Producer;
let queue: Queue;
let worker: Worker<unknown, Outcome> | undefined;

beforeAll(async () => {
  t = openTestRedis();
  const opened = await openTestRepositories();
  db = opened;
  repos = opened.repos;
  vault = createVault(t.config);
  desired = createDesiredStateRepo(db.connection);
  await desired.init();
  client = createFleetClient({ config: t.config, repos, vault, desired, limits: free, log });
  producer = createProducer({ config: t.config, log });
  queue = producer.queue(QueueName.Enrollment);
});
afterEach(async () => {
  await worker?.close();
  worker = undefined;
  await queue.obliterate({ force: true });
});
afterAll(async () => {
  await client.close();
  await producer.close();
  await closeConnections();
  await t.cleanup();
  await db.drop();
});

/** An active account with a password: enable refuses unknown and non-active accounts. */
async function newAccount(): Promise<string> {
  const id = repos.accounts.newId();
  await repos.accounts.create({
    id,
    tenantId: 'tenant-a',
    externalId: `ext-${id}`,
    status: 'active',
    sealedPassword: vault.seal('pw', { accountId: id, purpose: 'password' }),
  });
  return id;
}

function start(handler: Handler<'reconcile-2fa'>): void {
  worker = createWorker(
    QueueName.Enrollment,
    toProcessor(JobName.Reconcile2fa, handler, { log, onFatal: jest.fn() }),
    { config: t.config, concurrency: 1, log },
  );
}

async function jobCount(): Promise<number> {
  const counts = await queue.getJobCounts();
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

/** A promise and the function that resolves it. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open = (): void => undefined;
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { wait, open };
}

describe('enable / disable', () => {
  it('collapses 20 concurrent enable requests for one account into exactly one job', async () => {
    const accountId = await newAccount();
    const results = await Promise.all(
      Array.from({ length: 20 }, () => client.enable(accountId, actor)),
    );
    expect(new Set(results.map((r) => r.jobId)).size).toBe(1);
    expect(results.filter((r) => !r.deduplicated)).toHaveLength(1);
    expect(await jobCount()).toBe(1);
    expect(await desired.getDesired(accountId)).toMatchObject({ desired: 'on', version: 1 });
  });

  it('collapses on → off → on before a worker runs into one job toward on', async () => {
    const accountId = await newAccount();
    const on = await client.enable(accountId, actor);
    const off = await client.disable(accountId, actor);
    const onAgain = await client.enable(accountId, actor);
    expect([off.jobId, onAgain.jobId]).toEqual([on.jobId, on.jobId]);
    expect([on.deduplicated, off.deduplicated, onAgain.deduplicated]).toEqual([false, true, true]);
    expect(await jobCount()).toBe(1);
    expect(await desired.getDesired(accountId)).toMatchObject({ desired: 'on', version: 3 });
    const job = (await queue.getJob(on.jobId))!;
    expect(job.data).toEqual({
      v: 1,
      accountId,
      requestId: expect.any(String) as string,
      reason: 'owner_request',
    });
  });

  it('refuses a flip within the cooldown and enqueues nothing', async () => {
    const guarded = createFleetClient({ config: t.config, repos, vault, desired, log });
    const accountId = await newAccount();
    await guarded.enable(accountId, actor);
    await queue.obliterate({ force: true });
    const err: unknown = await guarded.disable(accountId, actor).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ToggleCooldownError);
    expect(err).toMatchObject({ code: 'toggle_cooldown' });
    expect(await jobCount()).toBe(0);
    await guarded.close();
  });

  it('refuses an invalid or secret-looking payload before anything reaches Redis', async () => {
    const accountId = await newAccount();
    await expect(
      producer.enqueue(JobName.Reconcile2fa, { v: 1, accountId, requestId: 'JBSWY3DPEHPK3PXP' }),
    ).rejects.toBeInstanceOf(ValidationError);
    await expect(
      producer.enqueue(JobName.Reconcile2fa, {
        v: 1,
        accountId,
        requestId: 'r1',
        password: 'x',
      } as never),
    ).rejects.toThrow(/secret-looking/);
    expect(await jobCount()).toBe(0);
  });
});

describe('waitForOutcome', () => {
  it('returns at once for a job that finished before the call', async () => {
    start(() => Promise.resolve({ status: 'done', desired: 'on' }));
    const { jobId } = await client.enable(await newAccount(), actor);
    await waitForJobState(queue, jobId, ['completed']);
    await expect(client.waitForOutcome(jobId, { timeoutMs: 5_000 })).resolves.toEqual({
      status: 'completed',
      jobId,
      result: { status: 'done', desired: 'on' },
    });
  });

  it('waits for a job that finishes after the call and passes progress steps on', async () => {
    const go = gate();
    start(async (_data, ctx) => {
      await go.wait;
      await ctx.progress('opening_settings');
      await ctx.progress('confirming_code');
      return { status: 'done', desired: 'on' };
    });
    const { jobId } = await client.enable(await newAccount(), actor);
    const steps: string[] = [];
    const outcome = client.waitForOutcome(jobId, {
      timeoutMs: 10_000,
      onProgress: (step) => steps.push(step),
    });
    // Let the wait set up its event reader first (a few round trips to a local Redis).
    await new Promise((r) => setTimeout(r, 300));
    go.open();
    await expect(outcome).resolves.toMatchObject({ status: 'completed', jobId });
    expect(steps).toEqual(['opening_settings', 'confirming_code']);
  });

  it('reports a failure with the code the runtime wrote', async () => {
    start(() =>
      Promise.reject(
        new PermanentError('account_not_active', 'the account must be connected first'),
      ),
    );
    const { jobId } = await client.enable(await newAccount(), actor);
    await expect(client.waitForOutcome(jobId, { timeoutMs: 10_000 })).resolves.toEqual({
      status: 'failed',
      jobId,
      code: 'account_not_active',
      message: 'the account must be connected first',
    });
  });

  it('follows the follow-up job when the desired state changed while the job ran', async () => {
    const accountId = await newAccount();
    const running = gate();
    const proceed = gate();
    let runs = 0;
    start(async (data, ctx) => {
      runs += 1;
      const target = (await desired.getDesired(data.accountId))!.desired;
      if (runs === 1) {
        running.open();
        await proceed.wait;
      }
      const followUpJobId = await producer.requeueIfDesiredChanged({
        jobId: ctx.jobId,
        accountId: data.accountId,
        reconciledTo: target,
        requestId: data.requestId,
        desired,
      });
      return { status: 'done', desired: target, ...(followUpJobId ? { followUpJobId } : {}) };
    });
    const first = await client.enable(accountId, actor);
    await running.wait;
    const off = await client.disable(accountId, actor);
    expect(off).toMatchObject({ jobId: first.jobId, deduplicated: true });
    proceed.open();
    const outcome = await client.waitForOutcome(first.jobId, { timeoutMs: 10_000 });
    expect(outcome).toMatchObject({ status: 'completed', result: { desired: 'off' } });
    expect(outcome.jobId).not.toBe(first.jobId);
    expect(runs).toBe(2);
  });

  it('times out with WaitTimeoutError while nobody works the queue', async () => {
    const { jobId } = await client.enable(await newAccount(), actor);
    await expect(client.waitForOutcome(jobId, { timeoutMs: 200 })).rejects.toBeInstanceOf(
      WaitTimeoutError,
    );
  });

  it('refuses an unknown job id', async () => {
    await expect(client.waitForOutcome('no-such-job', { timeoutMs: 1_000 })).rejects.toMatchObject({
      code: 'job_not_found',
    });
  });
});
