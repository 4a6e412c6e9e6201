/**
 * The typed client the main app (API, CLI) imports to drive the fleet.
 *
 * Every method is a small function of {@link FleetClientContext}; to add one (`submitEmailCode`,
 * `importKey`), write it next to `requestToggle` below and list it in the object that
 * `createFleetClient` returns.
 */
import { QueueEvents, type Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Clock } from '../shared/clock';
import { systemClock } from '../shared/clock';
import type { Config } from '../shared/config';
import {
  createDesiredStateRepo,
  type DesiredStateRepo,
  type DesiredTwoFactor,
  type ToggleLimits,
} from '../shared/db/desired-state.repo';
import { coerceError, PermanentError, TransientError } from '../shared/errors';
import type { Logger } from '../shared/logger';
import { ownedWorkerConnectionOptions, producerConnection } from './connection';
import { OutcomeSchema, type Outcome } from './jobs';
import { JobName, QueueName } from './names';
import { createProducer, type Producer } from './producer';

/** The defaults for TOGGLE_COOLDOWN_SECONDS (15 min) and TOGGLE_DAILY_LIMIT (3). */
export const DEFAULT_TOGGLE_LIMITS: ToggleLimits = Object.freeze({
  cooldownSeconds: 900,
  dailyLimit: 3,
});

/**
 * A wait follows at most 5 `followUpJobId` hops: each hop means the owner flipped the desired
 * state while a job ran, and the toggle guard allows 3 flips a day by default.
 */
const MAX_FOLLOW_UPS = 5;

/** What enable/disable return. */
export interface ToggleResult {
  /** The job that will reconcile the account (poll or `waitForOutcome` it). */
  readonly jobId: string;
  readonly desired: DesiredTwoFactor;
  /** True when the request collapsed into a job already queued for this account. */
  readonly deduplicated: boolean;
}

/** Who asked, for logs and (through the integrator) the audit trail. */
export interface RequestMeta {
  /** `api:<tokenName>`, `cli`, `owner:<id>`. */
  readonly actor: string;
  /** Correlation id; a random one when omitted. */
  readonly requestId?: string;
}

/** How a job ended. `code` is the taxonomy code the runtime wrote as `"<code>: <message>"`. */
export type JobOutcome =
  | { readonly status: 'completed'; readonly jobId: string; readonly result: Outcome }
  | {
      readonly status: 'failed';
      readonly jobId: string;
      readonly code: string;
      readonly message: string;
    };

/** Options of waitForOutcome. */
export interface WaitOptions {
  readonly timeoutMs: number;
  /** Called with each `{ step }` the handler reports, as it happens. */
  readonly onProgress?: (step: string, jobId: string) => void;
  /** The queue of the job (default `enrollment`). */
  readonly queue?: QueueName;
}

/** The waiting for a job outcome ran out of time; the job itself may still finish. */
export class WaitTimeoutError extends TransientError {
  constructor(
    readonly jobId: string,
    timeoutMs: number,
  ) {
    super('wait_timeout', `job ${jobId} did not finish within ${timeoutMs} ms`);
  }
}

/** The client's dependencies, shared by every method. */
export interface FleetClientContext {
  readonly config: Pick<Config, 'redis'>;
  readonly clock: Clock;
  readonly log: Logger | undefined;
  readonly producer: Producer;
  readonly desired: DesiredStateRepo;
  readonly limits: ToggleLimits;
  readonly connection: Redis;
}

/** The fleet client. */
export interface FleetClient {
  /** Asks for 2FA on: toggle guard (ToggleCooldownError) → one deduplicated `reconcile-2fa`. */
  enable(accountId: string, meta: RequestMeta): Promise<ToggleResult>;
  /** Asks for 2FA off; same rules as enable. */
  disable(accountId: string, meta: RequestMeta): Promise<ToggleResult>;
  /** Resolves with how the job (and any follow-up) ended; WaitTimeoutError after `timeoutMs`. */
  waitForOutcome(jobId: string, opts: WaitOptions): Promise<JobOutcome>;
  /** Closes the queues and the shared producer connection's users (not Mongo). */
  close(): Promise<void>;
}

/** Options of createFleetClient. */
export interface FleetClientOptions {
  readonly config: Pick<Config, 'redis'>;
  readonly clock?: Clock;
  readonly log?: Logger;
  /** Defaults to the repository on mongoose's default connection (call connectMongo first). */
  readonly desired?: DesiredStateRepo;
  /** The integrator passes TOGGLE_COOLDOWN_SECONDS / TOGGLE_DAILY_LIMIT here. */
  readonly limits?: ToggleLimits;
  /** Defaults to the shared fail-fast client of connection.ts. */
  readonly connection?: Redis;
}

/** Parses `"<code>: <message>"`; anything else is `internal_error` with the raw reason. */
export function parseFailedReason(reason: string | undefined): { code: string; message: string } {
  const m = /^([a-z][a-z0-9_]*): ([\s\S]*)$/.exec(reason ?? '');
  return m ? { code: m[1]!, message: m[2]! } : { code: 'internal_error', message: reason ?? '' };
}

async function requestToggle(
  ctx: FleetClientContext,
  accountId: string,
  desired: DesiredTwoFactor,
  meta: RequestMeta,
): Promise<ToggleResult> {
  const now = new Date(ctx.clock.nowMs());
  const state = await ctx.desired.requestDesired(accountId, desired, now, ctx.limits);
  const requestId = meta.requestId ?? crypto.randomUUID();
  const { jobId, deduplicated } = await ctx.producer.enqueue(JobName.Reconcile2fa, {
    v: 1,
    accountId,
    requestId,
    reason: 'owner_request',
  });
  ctx.log?.info(
    {
      accountId,
      desired,
      changed: state.changed,
      jobId,
      deduplicated,
      actor: meta.actor,
      requestId,
    },
    '2fa toggle requested',
  );
  return { jobId, desired, deduplicated };
}

function stepOf(progress: unknown): string | null {
  if (typeof progress !== 'object' || progress === null) return null;
  const step = (progress as { step?: unknown }).step;
  return typeof step === 'string' ? step : null;
}

/**
 * The outcome of a finished job, or null while it runs. The state is read **before** the job
 * hash: a finished job's hash no longer changes, whereas a hash read first may predate the
 * return value or failed reason that a later state read reports as finished.
 */
async function finishedOutcome(queue: Queue, jobId: string): Promise<JobOutcome | null> {
  const state = await queue.getJobState(jobId);
  if (state === 'unknown') {
    throw new PermanentError('job_not_found', `no job ${jobId} in ${queue.name}`);
  }
  if (state !== 'completed' && state !== 'failed') return null;
  const job = await queue.getJob(jobId);
  if (!job) throw new PermanentError('job_not_found', `job ${jobId} was removed`);
  if (state === 'completed') {
    return { status: 'completed', jobId, result: OutcomeSchema.parse(job.returnvalue) };
  }
  return { status: 'failed', jobId, ...parseFailedReason(job.failedReason) };
}

/**
 * Waits for one job. The QueueEvents reader starts at the stream's last id read *before* the
 * job's state is checked, so an event between the check and the first read is not missed.
 */
async function waitForOne(
  ctx: FleetClientContext,
  jobId: string,
  queueName: QueueName,
  deadlineMs: number,
  onProgress: WaitOptions['onProgress'],
): Promise<JobOutcome> {
  const queue = ctx.producer.queue(queueName);
  const last = await ctx.connection.xrevrange(queue.keys.events!, '+', '-', 'COUNT', 1);
  const events = new QueueEvents(queueName, {
    connection: ownedWorkerConnectionOptions(ctx.config),
    prefix: ctx.config.redis.prefix,
    lastEventId: last[0]?.[0] ?? '0-0',
  });
  events.on('error', (err) => ctx.log?.warn({ err, jobId }, 'queue events error'));
  let timer: NodeJS.Timeout | undefined;
  try {
    return await new Promise<JobOutcome>((resolve, reject) => {
      const check = async (): Promise<void> => {
        const outcome = await finishedOutcome(queue, jobId);
        if (outcome) resolve(outcome);
      };
      const onError = (err: unknown): void => reject(coerceError(err));
      events.on('progress', ({ jobId: id, data }) => {
        const step = stepOf(data);
        if (id === jobId && step) onProgress?.(step, jobId);
      });
      // 'failed' is re-checked against the job's state: only a final failure ends the wait.
      events.on('completed', ({ jobId: id }) => void (id === jobId && check().catch(onError)));
      events.on('failed', ({ jobId: id }) => void (id === jobId && check().catch(onError)));
      timer = setTimeout(
        () => reject(new WaitTimeoutError(jobId, Math.max(0, deadlineMs - ctx.clock.nowMs()))),
        Math.max(0, deadlineMs - ctx.clock.nowMs()),
      );
      void (async () => {
        const job = await queue.getJob(jobId);
        const step = stepOf(job?.progress);
        if (step) onProgress?.(step, jobId);
        await check();
      })().catch(onError);
    });
  } finally {
    clearTimeout(timer);
    await events.close();
  }
}

async function waitForOutcome(
  ctx: FleetClientContext,
  jobId: string,
  opts: WaitOptions,
): Promise<JobOutcome> {
  const deadlineMs = ctx.clock.nowMs() + opts.timeoutMs;
  const queueName = opts.queue ?? QueueName.Enrollment;
  let current = jobId;
  for (let hop = 0; ; hop++) {
    const outcome = await waitForOne(ctx, current, queueName, deadlineMs, opts.onProgress).catch(
      (err: unknown) => {
        throw err instanceof WaitTimeoutError ? new WaitTimeoutError(jobId, opts.timeoutMs) : err;
      },
    );
    const next = outcome.status === 'completed' ? outcome.result.followUpJobId : undefined;
    if (!next || hop >= MAX_FOLLOW_UPS) return outcome;
    ctx.log?.debug({ jobId: current, followUpJobId: next }, 'following up');
    current = next;
  }
}

/** Creates the fleet client; see {@link FleetClient}. */
export function createFleetClient(opts: FleetClientOptions): FleetClient {
  const connection = opts.connection ?? producerConnection(opts.config);
  const ctx: FleetClientContext = {
    config: opts.config,
    clock: opts.clock ?? systemClock,
    log: opts.log,
    producer: createProducer({ config: opts.config, connection, log: opts.log }),
    desired: opts.desired ?? createDesiredStateRepo(),
    limits: opts.limits ?? DEFAULT_TOGGLE_LIMITS,
    connection,
  };
  return {
    enable: (accountId, meta) => requestToggle(ctx, accountId, 'on', meta),
    disable: (accountId, meta) => requestToggle(ctx, accountId, 'off', meta),
    waitForOutcome: (jobId, waitOpts) => waitForOutcome(ctx, jobId, waitOpts),
    close: () => ctx.producer.close(),
  };
}
