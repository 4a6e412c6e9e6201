/**
 * The only place that calls `queue.add`. Validates every payload against its schema, applies
 * the queue's default job options, and deduplicates per account and operation.
 *
 * ## Deduplication and the desired state
 *
 * Each enqueue carries `deduplication: { id: '<job>_<accountId>' }` (no `:`: BullMQ uses it as
 * a key separator). While a job with that id is waiting, delayed (backoff, or parked by
 * `RetryLaterError`) or active, a new request **collapses into it** and gets its id back: the
 * job reads the desired state from Mongo when it runs, so on→off→on before it starts is one
 * action toward `on`.
 *
 * A request that collapses into an *active* job may arrive after the job read the desired
 * state. The rule for the worker, therefore: **as its last step** (after releasing the browser
 * and the lease) the reconcile handler calls {@link Producer.requeueIfDesiredChanged}, which
 * first releases the deduplication key and **then** re-reads the desired state. Every request
 * that collapsed into the job wrote Mongo before the key was released, so the re-read sees it;
 * every later request creates a job of its own. Nothing is lost, and the handler returns the
 * follow-up id as `followUpJobId`, which `waitForOutcome` follows.
 *
 * ## Scheduled session checks
 *
 * Every account with an active key has a BullMQ job scheduler `session-check_<accountId>` that
 * adds a `session-check` job every SESSION_CHECK_INTERVAL_SECONDS. Each account's runs fall on
 * a fixed slot inside the interval (a hash of its id), so a fleet's checks spread evenly.
 */
import { createHash, randomUUID } from 'node:crypto';
import { Job, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config } from '../shared/config';
import { ValidationError } from '../shared/errors';
import type { Logger } from '../shared/logger';
import { producerConnection } from './connection';
import { payloadSchemas, type JobOf } from './jobs';
import { JobName, type QueueName } from './names';
import { DEFAULT_JOB_OPTIONS, JOB_QUEUE } from './registry';

/** What `enqueue` did. */
export interface EnqueueResult {
  /** The id of the job that will do the work: ours, or the existing one's when deduplicated. */
  readonly jobId: string;
  /** True when the request collapsed into an existing job. */
  readonly deduplicated: boolean;
  readonly queue: QueueName;
}

/** What the producer needs to re-read the desired state (desired-state.repo.ts fits). */
export interface DesiredStateReader {
  getDesired(accountId: string): Promise<{ desired: 'on' | 'off' } | null>;
}

/** Options of `requeueIfDesiredChanged`. */
export interface RequeueCheck {
  /** The finishing job's id (JobContext.jobId). */
  readonly jobId: string;
  readonly accountId: string;
  /** The state the job brought LinkedIn to. */
  readonly reconciledTo: 'on' | 'off';
  /** Correlation id for the follow-up (usually the finishing job's requestId). */
  readonly requestId: string;
  readonly desired: DesiredStateReader;
}

/** Enqueues jobs; see the module comment. */
export interface Producer {
  /** Validates `data` (ValidationError on failure) and adds job `name`, deduplicated. */
  enqueue<N extends JobName>(name: N, data: JobOf<N>): Promise<EnqueueResult>;
  /**
   * The reconcile worker's last step: releases the finishing job's deduplication key, re-reads
   * the desired state, and enqueues a follow-up when it differs from `reconciledTo`. Returns
   * the follow-up's job id, or null when nothing changed.
   */
  requeueIfDesiredChanged(check: RequeueCheck): Promise<string | null>;
  /**
   * Creates or updates the account's scheduled session check: every `everyMs`, in a slot of its
   * own inside the interval (see scheduleSlotMs), so 10 000 accounts do not fire together.
   * Idempotent; returns the scheduler id.
   */
  scheduleSessionChecks(accountId: string, everyMs: number): Promise<string>;
  /** Removes the account's scheduled session check; false when there was none. */
  unscheduleSessionChecks(accountId: string): Promise<boolean>;
  /** The (lazily created) Queue of `name`, for read-only lookups by the client. */
  queue(name: QueueName): Queue;
  /** Closes the queues (not the shared connection: see connection.ts closeConnections). */
  close(): Promise<void>;
}

/** Producer dependencies. `connection` defaults to the shared fail-fast client. */
export interface ProducerDeps {
  readonly config: Pick<Config, 'redis'>;
  readonly connection?: Redis;
  readonly log?: Logger;
}

/**
 * The deduplication id of a job: one per account and operation, except webhooks, which are
 * one per event (two events of the same account are two deliveries).
 */
export function deduplicationIdOf<N extends JobName>(name: N, data: JobOf<N>): string {
  if (name === JobName.DeliverWebhook) {
    return `${name}_${(data as JobOf<typeof JobName.DeliverWebhook>).eventId}`;
  }
  return `${name}_${data.accountId}`;
}

/** The job scheduler id of an account's session checks. */
export function sessionCheckSchedulerId(accountId: string): string {
  return `${JobName.SessionCheck}_${accountId}`;
}

/**
 * The account's fixed slot inside the interval, in [0, everyMs): a hash of its id, so the slot
 * is stable across restarts and re-schedules, and ids spread evenly over the interval.
 */
export function scheduleSlotMs(accountId: string, everyMs: number): number {
  const digest = createHash('sha256').update(accountId).digest();
  return Number(digest.readBigUInt64BE(0) % BigInt(everyMs));
}

/** The first run at or after `nowMs` that falls on the account's slot. */
export function firstSlotAt(accountId: string, everyMs: number, nowMs: number): number {
  const slot = scheduleSlotMs(accountId, everyMs);
  const base = nowMs - (nowMs % everyMs);
  const at = base + slot;
  return at >= nowMs ? at : at + everyMs;
}

/** Creates a producer; see {@link Producer}. */
export function createProducer(deps: ProducerDeps): Producer {
  const connection = deps.connection ?? producerConnection(deps.config);
  const queues = new Map<QueueName, Queue>();

  const queueFor = (name: QueueName): Queue => {
    let q = queues.get(name);
    if (!q) {
      q = new Queue(name, {
        connection,
        prefix: deps.config.redis.prefix,
        defaultJobOptions: DEFAULT_JOB_OPTIONS[name],
      });
      q.on('error', (err) => deps.log?.warn({ err, queue: name }, 'queue error'));
      queues.set(name, q);
    }
    return q;
  };

  const enqueue = async <N extends JobName>(name: N, data: JobOf<N>): Promise<EnqueueResult> => {
    const parsed = payloadSchemas[name].safeParse(data);
    if (!parsed.success) {
      throw new ValidationError(`invalid ${name} payload: ${parsed.error.issues[0]?.message}`);
    }
    const queueName = JOB_QUEUE[name];
    // Our own id (a UUID: not an integer, no ':'), so a different returned id means the
    // request collapsed into an existing job: BullMQ returns that job's id instead.
    const ownId = randomUUID();
    const deduplicationId = deduplicationIdOf(name, parsed.data as JobOf<N>);
    const job = await queueFor(queueName).add(name, parsed.data, {
      jobId: ownId,
      deduplication: { id: deduplicationId },
    });
    const jobId = job.id ?? ownId;
    const deduplicated = jobId !== ownId;
    deps.log?.debug({ job: name, jobId, deduplicated, accountId: data.accountId }, 'enqueued');
    return { jobId, deduplicated, queue: queueName };
  };

  return {
    enqueue,

    async requeueIfDesiredChanged(check) {
      const queue = queueFor(JOB_QUEUE[JobName.Reconcile2fa]);
      const job = await Job.fromId(queue, check.jobId);
      // **MUST** come before the re-read: see the module comment.
      await job?.removeDeduplicationKey();
      const current = await check.desired.getDesired(check.accountId);
      if (!current || current.desired === check.reconciledTo) return null;
      const next = await enqueue(JobName.Reconcile2fa, {
        v: 1,
        accountId: check.accountId,
        requestId: check.requestId,
        reason: 'desired_changed',
      });
      deps.log?.info(
        { accountId: check.accountId, jobId: check.jobId, followUpJobId: next.jobId },
        'desired state changed while the job ran; follow-up enqueued',
      );
      return next.jobId;
    },

    async scheduleSessionChecks(accountId, everyMs) {
      const id = sessionCheckSchedulerId(accountId);
      const queue = queueFor(JOB_QUEUE[JobName.SessionCheck]);
      const data = payloadSchemas[JobName.SessionCheck].parse({
        v: 1,
        accountId,
        requestId: 'schedule',
        reason: 'scheduled',
      });
      const existing = await queue.getJobScheduler(id);
      if (existing?.every === everyMs) return id;
      await queue.upsertJobScheduler(
        id,
        { every: everyMs, startDate: firstSlotAt(accountId, everyMs, Date.now()) },
        { name: JobName.SessionCheck, data },
      );
      deps.log?.info({ accountId, everyMs }, 'session checks scheduled');
      return id;
    },

    async unscheduleSessionChecks(accountId) {
      const queue = queueFor(JOB_QUEUE[JobName.SessionCheck]);
      const removed = await queue.removeJobScheduler(sessionCheckSchedulerId(accountId));
      if (removed) deps.log?.info({ accountId }, 'session checks unscheduled');
      return removed;
    },

    queue: queueFor,

    async close() {
      const all = [...queues.values()];
      queues.clear();
      await Promise.all(all.map((q) => q.close()));
    },
  };
}
