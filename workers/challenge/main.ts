/**
 * `npm run worker:challenge`: one challenge worker process, consuming the session-check queue
 * (manual checks, scheduled health checks, the main app's challenge hand-offs). Several can run
 * at once; the per-account lease keeps two browsers off one account. SIGTERM/SIGINT: see
 * workers/fleet-worker.ts.
 */
import { JobName, QueueName } from '../../queues/names';
import {
  runIfMain,
  startFleetWorker,
  type FleetWorker,
  type FleetWorkerKind,
  type StartFleetWorkerOptions,
} from '../fleet-worker';
import { routeByName, toProcessor } from '../runtime';
import { sessionCheckHandler } from './session-check';

/** The challenge worker kind. */
export const challengeWorkerKind: FleetWorkerKind = {
  queue: QueueName.SessionCheck,
  name: 'challenge',
  concurrency: (config) => config.challenge.concurrency,
  processor: (deps, processorDeps) =>
    routeByName({
      [JobName.SessionCheck]: toProcessor(
        JobName.SessionCheck,
        sessionCheckHandler(deps),
        processorDeps,
      ),
    }),
};

/** Wires and starts a challenge worker on the session-check queue. */
export function startChallengeWorker(opts: StartFleetWorkerOptions): Promise<FleetWorker> {
  return startFleetWorker(challengeWorkerKind, opts);
}

runIfMain(challengeWorkerKind, module);
