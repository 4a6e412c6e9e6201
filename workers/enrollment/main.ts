/**
 * `npm run worker:enrollment`: one enrollment worker process. Several can run at once, on one
 * machine or many: BullMQ hands each job to one of them, and the per-account lease keeps two
 * browsers off one account. SIGTERM/SIGINT: see workers/fleet-worker.ts (finish within the
 * grace period or hand the job back, close the browser, Mongo and Redis, exit 0).
 */
import { QueueName } from '../../queues/names';
import {
  runIfMain,
  startFleetWorker,
  type FleetWorker,
  type FleetWorkerKind,
  type StartFleetWorkerOptions,
} from '../fleet-worker';
import { enrollmentProcessor } from './handlers';

/** A running enrollment worker and what it owns. */
export type EnrollmentWorker = FleetWorker;

/** The enrollment worker kind. */
export const enrollmentWorkerKind: FleetWorkerKind = {
  queue: QueueName.Enrollment,
  name: 'enrollment',
  concurrency: (config) => config.enrollment.concurrency,
  processor: enrollmentProcessor,
};

/** Wires and starts an enrollment worker on the enrollment queue. */
export function startEnrollmentWorker(opts: StartFleetWorkerOptions): Promise<EnrollmentWorker> {
  return startFleetWorker(enrollmentWorkerKind, opts);
}

runIfMain(enrollmentWorkerKind, module);
