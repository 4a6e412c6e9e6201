/**
 * Wiring shared by the worker processes (`worker:enrollment`, `worker:challenge`): the fleet
 * dependencies (repositories, vault, browser fleet, producer, clock, crash points), a BullMQ
 * worker on one queue, and a graceful stop; plus the process entry that runs one of them until
 * SIGTERM/SIGINT.
 *
 * Stopping: the worker stops fetching and the active jobs get `config.worker.shutdownGraceMs`
 * to finish. A job still running then (waiting in place for an app approval, say) is handed
 * back: its signal aborts, and the runtime moves it to delayed at once without spending an
 * attempt, so another worker resumes it from the saved state. Then the browser fleet closes.
 * A hard kill instead is recovered by BullMQ's stalled check on another worker.
 */
import { createServer, type Server } from 'node:http';
import { hostname } from 'node:os';
import type { Processor, Worker } from 'bullmq';
import { closeConnections } from '../queues/connection';
import type { Outcome } from '../queues/jobs';
import type { QueueName } from '../queues/names';
import { createProducer } from '../queues/producer';
import { createBrowserFleet, type BrowserFleet } from '../shared/browser';
import { systemClock } from '../shared/clock';
import { applyEnvFile, loadConfig, type Config } from '../shared/config';
import { createVault } from '../shared/crypto';
import { connectMongo, createRepositories, disconnectMongo } from '../shared/db';
import { createDesiredStateRepo } from '../shared/db/desired-state.repo';
import { createLogger, type Logger } from '../shared/logger';
import { basicPasswordOf, bearerOf, sameSecret } from '../shared/http-auth';
import { browserMetricHooks, registry } from '../shared/metrics';
import { createSiteClock } from '../shared/site-clock';
import type { FleetDeps } from './account-run';
import { createCrashAt } from './crash-points';
import { createWorker, gracefulShutdown, type ProcessorDeps } from './runtime';

/** A running worker and what it owns. */
export interface FleetWorker {
  readonly worker: Worker<unknown, Outcome>;
  readonly fleet: BrowserFleet;
  readonly deps: FleetDeps;
  /** Graceful stop (see the module comment); closes the browser fleet, not Mongo or Redis. */
  close(): Promise<void>;
}

/** Options of {@link startFleetWorker}; tests pass their own repositories and names. */
export interface StartFleetWorkerOptions {
  readonly config: Config;
  readonly log: Logger;
  readonly deps?: Partial<FleetDeps>;
  /** Called when a handler reports the process unfit (browser will not start). */
  readonly onFatal?: () => void;
}

/** What differs between the worker kinds. */
export interface FleetWorkerKind {
  readonly queue: QueueName;
  /** Audit actor prefix: `worker:<name>-<host>-<pid>`. */
  readonly name: string;
  readonly concurrency: (config: Config) => number;
  readonly processor: (
    deps: FleetDeps,
    processorDeps: ProcessorDeps,
  ) => Processor<unknown, Outcome>;
}

/** Wires the fleet dependencies and starts a worker of `kind`. */
export async function startFleetWorker(
  kind: FleetWorkerKind,
  opts: StartFleetWorkerOptions,
): Promise<FleetWorker> {
  const { config, log } = opts;
  const fleet = opts.deps?.fleet ?? createBrowserFleet(config.browser, browserMetricHooks);
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
    siteClock: opts.deps?.siteClock ?? createSiteClock({ log }),
    actor: opts.deps?.actor ?? `worker:${kind.name}-${hostname()}-${process.pid}`,
  };
  const handBack = new AbortController();
  const worker = createWorker(
    kind.queue,
    kind.processor(deps, {
      log,
      onFatal: () => opts.onFatal?.(),
      handBack: handBack.signal,
    }),
    {
      config,
      concurrency: kind.concurrency(config),
      log,
      options: {
        lockDuration: config.worker.lockDurationMs,
        stalledInterval: config.worker.stalledIntervalMs,
      },
    },
  );
  const close = gracefulShutdown(
    worker,
    async () => {
      await fleet.close();
      if (!opts.deps?.producer) await deps.producer.close();
    },
    { graceMs: config.worker.shutdownGraceMs, handBack, log },
  );
  return { worker, fleet, deps, close };
}

/** The process entry of a worker of `kind`: runs until SIGTERM/SIGINT, then exits 0. */
export async function runFleetWorkerProcess(kind: FleetWorkerKind): Promise<void> {
  applyEnvFile();
  const config = loadConfig();
  const log = createLogger(config).child({ process: `worker:${kind.name}` });
  await connectMongo(config.mongo);
  let stopping = false;
  const running = await startFleetWorker(kind, {
    config,
    log,
    onFatal: () => void stop('fatal'),
  });
  async function stop(why: string): Promise<void> {
    if (stopping) return;
    stopping = true;
    log.info({ why }, 'shutting down');
    try {
      metricsServer?.close();
      await running.close();
      await disconnectMongo();
      await closeConnections();
    } finally {
      process.exitCode = why === 'fatal' ? 1 : 0;
    }
    log.info({ why }, 'stopped');
  }
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
  const metricsServer = config.worker.metricsPort !== null ? await serveMetrics(config, log) : null;
  log.info({ concurrency: kind.concurrency(config) }, `${kind.name} worker started`);
}

/**
 * A worker's own /metrics (WORKER_METRICS_PORT): its registry counts its jobs, steps, codes and
 * browser contexts. Behind OPERATOR_TOKEN (bearer or basic auth) when one is set.
 */
async function serveMetrics(config: Config, log: Logger): Promise<Server> {
  const token = config.api.operatorToken;
  const server = createServer((req, res) => {
    void (async () => {
      if (req.url !== '/metrics') return void res.writeHead(404).end();
      const header = req.headers.authorization;
      const presented = bearerOf(header) ?? basicPasswordOf(header);
      if (token && !sameSecret(presented, token)) {
        return void res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="operators"' }).end();
      }
      res.writeHead(200, { 'Content-Type': registry.contentType }).end(await registry.metrics());
    })().catch(() => res.writeHead(500).end());
  });
  await new Promise<void>((resolve) =>
    server.listen(config.worker.metricsPort!, config.api.host, resolve),
  );
  log.info({ port: config.worker.metricsPort }, 'worker metrics served');
  return server;
}

/** Runs `kind` as the process when `module` is the entry script. */
export function runIfMain(kind: FleetWorkerKind, module: NodeModule): void {
  if (require.main !== module) return;
  runFleetWorkerProcess(kind).catch((err: unknown) => {
    process.stderr.write(`worker:${kind.name} failed to start: ${(err as Error).message}\n`);
    process.exitCode = 1;
  });
}
