/**
 * The one place that knows BullMQ on the worker side: payload parsing, the job context, and
 * the mapping of the error taxonomy (shared/errors.ts) to BullMQ behaviour.
 *
 * | thrown                              | BullMQ effect                                         |
 * | ----------------------------------- | ----------------------------------------------------- |
 * | invalid payload                     | `UnrecoverableError("invalid_payload: …")`            |
 * | `RetryLaterError(delayMs)`          | `moveToDelayed` + `DelayedError`: no attempt spent     |
 * | `PermanentError` / `NeedsHumanError`| `UnrecoverableError("<code>: <message>")`, no retries  |
 * | `FatalWorkerError`                  | `deps.onFatal(err)`, rethrown (retried elsewhere)      |
 * | anything, after `deps.handBack` aborted | handed back: `moveToDelayed(now)`, no attempt spent |
 * | anything else (`TransientError`…)   | rethrown (`<code>: <message>`): retried with backoff   |
 *
 * What is thrown carries only taxonomy codes and messages, which are secret-free by rule.
 */
import {
  DelayedError,
  UnrecoverableError,
  Worker,
  type Job,
  type Processor,
  type WorkerOptions,
} from 'bullmq';
import type { Redis } from 'ioredis';
import { workerConnection } from '../queues/connection';
import { payloadSchemas, type JobOf, type Outcome } from '../queues/jobs';
import type { JobName, QueueName } from '../queues/names';
import type { Config } from '../shared/config';
import {
  coerceError,
  errorCodeOf,
  FleetError,
  NeedsHumanError,
  retryPolicyOf,
  type FatalWorkerError,
  type PermanentError,
  type RetryLaterError,
  type RetryPolicy,
} from '../shared/errors';
import type { Logger } from '../shared/logger';
import { metrics } from '../shared/metrics';

/**
 * A job may be started at most 20 times in all (`job.attemptsStarted` counts every start,
 * including resumes after `RetryLaterError`, which spends no attempt). An enrollment parks a
 * handful of times at most (a TOTP step rolling over, app-approval re-checks); 20 leaves room
 * for that and still ends a handler that parks in a loop.
 */
export const MAX_STARTS = 20;

/** The `li2fa_jobs_total` outcome of a failed attempt, by the policy its error implies. */
const OUTCOME_OF: Readonly<Record<RetryPolicy, string>> = {
  retry_later: 'parked',
  retry: 'retry',
  permanent: 'failed',
  needs_human: 'failed',
  fatal: 'failed',
};

/** What a handler gets besides its payload. */
export interface JobContext {
  /** pino child bound to { queue, job, jobId, attempt, accountId }. */
  readonly log: Logger;
  /** Aborted when the worker shuts down or the job is cancelled. */
  readonly signal: AbortSignal;
  /** 1-based attempt number (resumes after RetryLaterError keep the same number). */
  readonly attempt: number;
  /** True when a retryable failure of this attempt would be the job's last (no retry left). */
  readonly lastAttempt: boolean;
  readonly jobId: string;
  /** When the job was enqueued (ms since the epoch). */
  readonly enqueuedAt: number;
  /** The queue the job came from. */
  readonly queue: string;
  /** The job's lock token; fencing for writes that must come from the lock holder. */
  readonly token: string | undefined;
  /** Reports a step (`job.updateProgress({ step })`), shown live by `--wait`. Secret-free. */
  progress(step: string): Promise<void>;
}

/** A job handler: a function of (payload, context) that knows nothing about BullMQ. */
export type Handler<N extends JobName> = (payload: JobOf<N>, ctx: JobContext) => Promise<Outcome>;

/** What toProcessor needs. */
export interface ProcessorDeps {
  readonly log: Logger;
  /** Called when the handler reports the process unfit to continue; should shut down. */
  readonly onFatal: (err: FatalWorkerError) => void;
  /**
   * Aborted when the process stops and its grace period is over: the handlers' signal aborts,
   * and whatever the job then throws hands it back to the queue (see gracefulShutdown).
   */
  readonly handBack?: AbortSignal;
}

/** The progress shape every handler reports. */
export interface StepProgress {
  readonly step: string;
}

function describeIssues(issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>): string {
  return issues
    .map((i) => (i.path.length ? `${i.path.map(String).join('.')}: ${i.message}` : i.message))
    .join('; ');
}

function contextFor(
  job: Job,
  token: string | undefined,
  signal: AbortSignal,
  log: Logger,
): JobContext {
  return {
    log,
    signal,
    attempt: job.attemptsMade + 1,
    lastAttempt: job.attemptsMade + 1 >= (job.opts?.attempts ?? 1),
    jobId: job.id ?? '',
    queue: job.queueName,
    enqueuedAt: job.timestamp,
    token,
    progress: (step: string) => job.updateProgress({ step } satisfies StepProgress),
  };
}

/** Wraps a handler as a BullMQ processor for job `name`; see the module comment. */
export function toProcessor<N extends JobName>(
  name: N,
  handler: Handler<N>,
  deps: ProcessorDeps,
): Processor<unknown, Outcome> {
  // Three declared parameters: BullMQ passes the abort signal only to processors that take it.
  return async function processJob(job, token, signal) {
    const data = job.data as { accountId?: unknown } | undefined;
    const log = deps.log.child({
      queue: job.queueName,
      job: job.name,
      jobId: job.id,
      attempt: job.attemptsMade + 1,
      accountId: typeof data?.accountId === 'string' ? data.accountId : undefined,
    });
    if (job.name !== name) throw new UnrecoverableError(`unexpected_job_name: ${job.name}`);
    const parsed = payloadSchemas[name].safeParse(job.data);
    if (!parsed.success) {
      log.warn({ code: 'invalid_payload' }, 'job refused: invalid payload');
      throw new UnrecoverableError(`invalid_payload: ${describeIssues(parsed.error.issues)}`);
    }

    const signals = [signal, deps.handBack].filter((s): s is AbortSignal => s !== undefined);
    const ctx = contextFor(
      job,
      token,
      signals.length === 1 ? signals[0]! : AbortSignal.any(signals),
      log,
    );
    const labels = { queue: job.queueName, name: job.name };
    const stopTimer = metrics.jobDuration.startTimer(labels);
    const count = (outcome: string) => {
      stopTimer();
      metrics.jobsTotal.inc({ ...labels, outcome });
    };
    try {
      const outcome = await handler(parsed.data as JobOf<N>, ctx);
      log.info({ outcome: outcome.status }, 'job finished');
      count('completed');
      return outcome;
    } catch (raw) {
      const err = coerceError(raw);
      if (deps.handBack?.aborted) {
        count('handed_back');
        log.info({ code: errorCodeOf(err) }, 'job handed back on shutdown');
        await job.moveToDelayed(Date.now(), token);
        throw new DelayedError();
      }
      const policy = retryPolicyOf(err);
      count(OUTCOME_OF[policy]);
      switch (policy) {
        case 'retry_later': {
          const later = err as RetryLaterError;
          if (job.attemptsStarted >= MAX_STARTS) {
            log.warn({ code: later.code, starts: job.attemptsStarted }, 'job parked too often');
            throw new UnrecoverableError(
              `retry_later_exhausted: ${later.code} after ${job.attemptsStarted} starts: ${later.message}`,
            );
          }
          log.info({ code: later.code, delayMs: later.delayMs }, 'job parked');
          await job.moveToDelayed(Date.now() + Math.max(0, later.delayMs), token);
          throw new DelayedError();
        }
        case 'permanent':
        case 'needs_human': {
          const failure = err as PermanentError;
          const instruction = failure instanceof NeedsHumanError ? failure.instruction : undefined;
          log.warn({ err, code: failure.code, instruction }, 'job failed permanently');
          throw new UnrecoverableError(`${failure.code}: ${failure.message}`);
        }
        case 'fatal':
          log.fatal({ err, code: (err as FatalWorkerError).code }, 'worker unfit to continue');
          deps.onFatal(err as FatalWorkerError);
          throw err;
        case 'retry':
          log.warn({ err }, 'job attempt failed');
          // The same `<code>: <message>` failedReason as a permanent failure, so a job whose
          // retries ran out reads back with its code.
          if (err instanceof FleetError) {
            throw new Error(`${err.code}: ${err.message}`, { cause: err });
          }
          throw err;
      }
    }
  };
}

/**
 * One processor for a queue that hosts several job names (the enrollment queue runs
 * `reconcile-2fa` and `verify-imported-key`): dispatches on `job.name`.
 */
export function routeByName(
  processors: Partial<Record<JobName, Processor<unknown, Outcome>>>,
): Processor<unknown, Outcome> {
  return async function routeJob(job, token, signal) {
    const processor = processors[job.name as JobName];
    if (!processor) throw new UnrecoverableError(`unexpected_job_name: ${job.name}`);
    return processor(job, token, signal);
  };
}

/** Options of createWorker. */
export interface CreateWorkerOptions {
  readonly config: Pick<Config, 'redis'>;
  /** Jobs run at once; each enrollment job owns a browser context, so keep it small. */
  readonly concurrency: number;
  readonly log: Logger;
  /** Defaults to the shared wait-forever client of connection.ts. */
  readonly connection?: Redis;
  /** Extra BullMQ options (tests shorten intervals); connection and prefix are fixed. */
  readonly options?: Omit<WorkerOptions, 'connection' | 'prefix' | 'concurrency'>;
}

/** A BullMQ Worker on the worker connection and configured prefix, with failure logging. */
export function createWorker(
  queueName: QueueName,
  processor: Processor<unknown, Outcome>,
  opts: CreateWorkerOptions,
): Worker<unknown, Outcome> {
  const worker = new Worker<unknown, Outcome>(queueName, processor, {
    ...opts.options,
    connection: opts.connection ?? workerConnection(opts.config),
    prefix: opts.config.redis.prefix,
    concurrency: opts.concurrency,
  });
  const log = opts.log.child({ queue: queueName });
  worker.on('error', (err) => log.error({ err }, 'worker error'));
  worker.on('failed', (job, err) =>
    log.warn({ jobId: job?.id, job: job?.name, reason: err.message }, 'job failed'),
  );
  worker.on('stalled', (jobId) => log.warn({ jobId }, 'job stalled; BullMQ will hand it on'));
  return worker;
}

/** Options of gracefulShutdown's hand-back. */
export interface HandBackOptions {
  /** How long active jobs may run on after the stop is asked for. */
  readonly graceMs: number;
  /** The controller whose signal the processors got as `handBack`. */
  readonly handBack: AbortController;
  readonly log?: Logger;
}

/**
 * Returns an idempotent shutdown for SIGTERM/SIGINT: `worker.close()` stops fetching and waits
 * for the active jobs; with `opts`, jobs still running after `graceMs` are handed back (their
 * signal aborts, the processor moves them to delayed without spending an attempt). A job cut
 * short by a hard kill is recovered by BullMQ's stalled check on another worker. Then `extra()`
 * closes what the process owns (browser, Mongo, shared Redis). Exiting is the caller's decision.
 */
export function gracefulShutdown(
  worker: Pick<Worker, 'close'>,
  extra: () => Promise<void> = () => Promise.resolve(),
  opts?: HandBackOptions,
): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => {
    done ??= (async () => {
      const timer = opts
        ? setTimeout(() => {
            opts.log?.info({ graceMs: opts.graceMs }, 'grace period over: handing jobs back');
            opts.handBack.abort();
          }, opts.graceMs)
        : undefined;
      try {
        await worker.close();
      } finally {
        clearTimeout(timer);
        await extra();
      }
    })();
    return done;
  };
}
