/**
 * `npm run worker:enrollment`: one enrollment worker process. Several can run at once, on one
 * machine or many: BullMQ hands each job to one of them, and the per-account lease keeps two
 * browsers off one account.
 *
 * SIGTERM/SIGINT: stop fetching, let the active jobs finish (a hard kill is recovered by
 * BullMQ's stalled check on another worker), close the browser, Mongo and Redis, exit 0.
 */
import { hostname } from 'node:os';
import type { Worker } from 'bullmq';
import { closeConnections } from '../../queues/connection';
import { QueueName } from '../../queues/names';
import { createProducer } from '../../queues/producer';
import type { Outcome } from '../../queues/jobs';
import { createBrowserFleet, type BrowserFleet } from '../../shared/browser';
import { systemClock } from '../../shared/clock';
import { applyEnvFile, loadConfig, type Config } from '../../shared/config';
import { createVault } from '../../shared/crypto';
import { connectMongo, createRepositories, disconnectMongo } from '../../shared/db';
import { createDesiredStateRepo } from '../../shared/db/desired-state.repo';
import { createLogger, type Logger } from '../../shared/logger';
import type { FleetDeps } from '../account-run';
import { createCrashAt } from '../crash-points';
import { createWorker, gracefulShutdown } from '../runtime';
import { enrollmentProcessor } from './handlers';

/** A running enrollment worker and what it owns. */
export interface EnrollmentWorker {
  readonly worker: Worker<unknown, Outcome>;
  readonly fleet: BrowserFleet;
  readonly deps: FleetDeps;
  /** Graceful stop: finish active jobs, close the browser fleet (not Mongo or Redis). */
  close(): Promise<void>;
}

/** Options of {@link startEnrollmentWorker}; tests pass their own repositories and names. */
export interface StartEnrollmentOptions {
  readonly config: Config;
  readonly log: Logger;
  readonly deps?: Partial<FleetDeps>;
  /** Called when a handler reports the process unfit (browser will not start). */
  readonly onFatal?: () => void;
}

/** Wires and starts an enrollment worker on the enrollment queue. */
export async function startEnrollmentWorker(
  opts: StartEnrollmentOptions,
): Promise<EnrollmentWorker> {
  const { config, log } = opts;
  const fleet = opts.deps?.fleet ?? createBrowserFleet(config.browser);
  const desired = opts.deps?.desired ?? createDesiredStateRepo();
  await desired.init();
  const deps: FleetDeps = {
    config,
    repos: opts.deps?.repos ?? (await createRepositories()),
    desired,
    vault: opts.deps?.vault ?? createVault(config),
    fleet,
    producer: opts.deps?.producer ?? createProducer({ config, log }),
    clock: opts.deps?.clock ?? systemClock,
    crashAt: opts.deps?.crashAt ?? createCrashAt(config.crashPoints),
    actor: opts.deps?.actor ?? `worker:enrollment-${hostname()}-${process.pid}`,
  };
  const worker = createWorker(
    QueueName.Enrollment,
    enrollmentProcessor(deps, { log, onFatal: () => opts.onFatal?.() }),
    {
      config,
      concurrency: config.enrollment.concurrency,
      log,
      options: {
        lockDuration: config.worker.lockDurationMs,
        stalledInterval: config.worker.stalledIntervalMs,
      },
    },
  );
  const close = gracefulShutdown(worker, async () => {
    await fleet.close();
    if (!opts.deps?.producer) await deps.producer.close();
  });
  return { worker, fleet, deps, close };
}

async function main(): Promise<void> {
  applyEnvFile();
  const config = loadConfig();
  const log = createLogger(config).child({ process: 'worker:enrollment' });
  await connectMongo(config.mongo);
  let stopping = false;
  const running = await startEnrollmentWorker({
    config,
    log,
    onFatal: () => void stop('fatal'),
  });
  async function stop(why: string): Promise<void> {
    if (stopping) return;
    stopping = true;
    log.info({ why }, 'shutting down');
    try {
      await running.close();
      await disconnectMongo();
      await closeConnections();
    } finally {
      process.exitCode = why === 'fatal' ? 1 : 0;
    }
  }
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
  log.info({ concurrency: config.enrollment.concurrency }, 'enrollment worker started');
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`worker:enrollment failed to start: ${(err as Error).message}\n`);
    process.exitCode = 1;
  });
}
