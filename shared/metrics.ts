/**
 * Prometheus metrics (prom-client): the one registry of the process and the metrics the fleet
 * records. Workers count what they do (jobs, steps, codes, browser contexts); the API serves
 * the registry at /metrics and adds gauges read at scrape time (queue depths, status counts).
 * With `npm start` the API and the workers share one process, hence one registry; a worker
 * started on its own counts into its own registry.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The process's registry. */
export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'li2fa_process_' });

const DURATION_BUCKETS = [0.1, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300];

export const metrics = {
  jobsTotal: new Counter({
    name: 'li2fa_jobs_total',
    help: 'Job attempts by queue, job name and outcome (completed, failed, retry, parked, handed_back)',
    labelNames: ['queue', 'name', 'outcome'] as const,
    registers: [registry],
  }),
  jobDuration: new Histogram({
    name: 'li2fa_job_duration_seconds',
    help: 'Job attempt duration by queue and job name',
    labelNames: ['queue', 'name'] as const,
    buckets: DURATION_BUCKETS,
    registers: [registry],
  }),
  stepDuration: new Histogram({
    name: 'li2fa_step_duration_seconds',
    help: 'Time spent in each enrollment / session-check step, by step name',
    labelNames: ['step'] as const,
    buckets: DURATION_BUCKETS,
    registers: [registry],
  }),
  challengeToCode: new Histogram({
    name: 'li2fa_challenge_to_code_seconds',
    help: 'From enqueueing a session check to our code being accepted at the 2FA prompt',
    buckets: DURATION_BUCKETS,
    registers: [registry],
  }),
  codesSubmitted: new Counter({
    name: 'li2fa_codes_submitted_total',
    help: 'Authenticator codes typed into LinkedIn, by result (accepted, rejected)',
    labelNames: ['result'] as const,
    registers: [registry],
  }),
  browserContextsOpen: new Gauge({
    name: 'li2fa_browser_contexts_open',
    help: 'Browser contexts open in this process',
    registers: [registry],
  }),
  browserRestarts: new Counter({
    name: 'li2fa_browser_restarts_total',
    help: 'Chromium relaunches, by reason (crash, recycle)',
    labelNames: ['reason'] as const,
    registers: [registry],
  }),
  queueJobs: new Gauge({
    name: 'li2fa_queue_jobs',
    help: 'Jobs per queue and state, read from Redis at scrape time',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
  }),
  accounts: new Gauge({
    name: 'li2fa_accounts',
    help: 'Accounts per status, read from the database at scrape time',
    labelNames: ['status'] as const,
    registers: [registry],
  }),
};

/** Browser-fleet hooks that keep the browser metrics (pass to createBrowserFleet). */
export const browserMetricHooks = {
  onContextOpened: () => metrics.browserContextsOpen.inc(),
  onContextClosed: () => metrics.browserContextsOpen.dec(),
  onBrowserRestart: (reason: 'crash' | 'recycle') => metrics.browserRestarts.inc({ reason }),
};
