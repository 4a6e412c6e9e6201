/**
 * Queue and job names: the vocabulary shared by producers and workers. One queue per worker
 * process type, so each scales on its own; kebab-case nouns for queues, verb-first for jobs.
 */

/** Every BullMQ queue of the fleet. */
export const QueueName = {
  Enrollment: 'enrollment',
  SessionCheck: 'session-check',
  Webhooks: 'webhooks',
} as const;
/** A queue name. */
export type QueueName = (typeof QueueName)[keyof typeof QueueName];

/** Every job name. Routed to its queue by `JOB_QUEUE` in registry.ts. */
export const JobName = {
  /** Move an account's LinkedIn 2FA toward the owner's desired state (on or off). */
  Reconcile2fa: 'reconcile-2fa',
  /** Prove an imported key works by a fresh login through the 2FA prompt. */
  VerifyImportedKey: 'verify-imported-key',
  /** Check that an account's stored session still signs in (next issue). */
  SessionCheck: 'session-check',
  /** Deliver one status-change webhook to the main app (later issue). */
  DeliverWebhook: 'deliver-webhook',
} as const;
/** A job name. */
export type JobName = (typeof JobName)[keyof typeof JobName];

/** All job names, for exhaustive iteration in tests and tools. */
export const JOB_NAMES: readonly JobName[] = Object.values(JobName);
