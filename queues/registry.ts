/**
 * Routing and retry policy per queue. Policy numbers live here, next to their reasons, and
 * nowhere else: producer.ts applies them as each queue's `defaultJobOptions`.
 */
import type { DefaultJobOptions } from 'bullmq';
import { JobName, QueueName } from './names';

/** Job → queue. Exhaustive: adding a JobName without routing it is a compile error. */
export const JOB_QUEUE: Readonly<Record<JobName, QueueName>> = {
  [JobName.Reconcile2fa]: QueueName.Enrollment,
  [JobName.VerifyImportedKey]: QueueName.Enrollment,
  [JobName.SessionCheck]: QueueName.SessionCheck,
  [JobName.DeliverWebhook]: QueueName.Webhooks,
};

const HOUR_S = 3_600;
const DAY_S = 24 * HOUR_S;

/** Default job options per queue; `removeOn*` ages are in seconds, backoff delays in ms. */
export const DEFAULT_JOB_OPTIONS: Readonly<Record<QueueName, DefaultJobOptions>> = {
  [QueueName.Enrollment]: {
    // 4 attempts: a browser flow can hit a flaky proxy or a crash a few times, but every attempt
    // logs in to LinkedIn, and many logins in a row look like abuse.
    attempts: 4,
    // Retries after 60 s, 120 s, 240 s (jitter 0.3: each drawn from 70–100 % of that, so a fleet-wide outage does not retry in lockstep).
    backoff: { type: 'exponential', delay: 60_000, jitter: 0.3 },
    // Completed: a week of history for support, at most 5 000 jobs of memory.
    removeOnComplete: { age: 7 * DAY_S, count: 5_000 },
    // Failed: 30 days, so a person can triage needs-human failures in Bull Board.
    removeOnFail: { age: 30 * DAY_S },
  },
  [QueueName.SessionCheck]: {
    // 3 attempts: a check is cheap and scheduled again anyway; it must not pile up.
    attempts: 3,
    // Retries after 30 s, then 60 s (jitter 0.3: 70–100 % of each).
    backoff: { type: 'exponential', delay: 30_000, jitter: 0.3 },
    // Checks are frequent: keep one day, at most 10 000.
    removeOnComplete: { age: DAY_S, count: 10_000 },
    // Failed checks: 7 days for triage.
    removeOnFail: { age: 7 * DAY_S },
  },
  [QueueName.Webhooks]: {
    // 8 attempts: the main app may be down for a deploy; 7 retries of 10 s · 2⁰…2⁶ ≈ 21 min.
    attempts: 8,
    // 10 s, doubling each retry (jitter 0.3: 70–100 % of each).
    backoff: { type: 'exponential', delay: 10_000, jitter: 0.3 },
    // Delivered webhooks: one day, at most 10 000.
    removeOnComplete: { age: DAY_S, count: 10_000 },
    // Undeliverable webhooks: 7 days, so they can be replayed by hand.
    removeOnFail: { age: 7 * DAY_S },
  },
};

/** The queue a job is routed to. */
export function queueOf(name: JobName): QueueName {
  return JOB_QUEUE[name];
}
