/**
 * The typed client: the one code path the CLI and the HTTP API use to drive the fleet.
 *
 * Every method is a small function of {@link FleetClientContext} (client-context.ts): the
 * toggle and the wait live here, account methods in client-accounts.ts, key methods in
 * client-keys.ts; `createFleetClient` lists them all. Each method validates its input
 * (ValidationError naming the field), throws typed errors only, and writes an audit event for
 * every action, with the caller's actor and never a secret in the details.
 */
import { QueueEvents, type Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Clock } from '../shared/clock';
import { systemClock } from '../shared/clock';
import type { Vault } from '../shared/crypto';
import {
  AccountNotActiveError,
  type AccountRecord,
  type AuditPage,
  type Repositories,
} from '../shared/db';
import {
  createDesiredStateRepo,
  type DesiredStateRepo,
  type DesiredTwoFactor,
  type ToggleLimits,
} from '../shared/db/desired-state.repo';
import { coerceError, PermanentError, TransientError } from '../shared/errors';
import type { Logger } from '../shared/logger';
import {
  getAccount,
  registerAccount,
  createOwnerLink,
  removeAccount,
  submitEmailCode,
  updateAccount,
  type AccountView,
  type EmailCodeResult,
  type RegisterAccountInput,
  type UpdateAccountInput,
} from './client-accounts';
import {
  audit,
  auditActorOf,
  requestIdOf,
  requireAccount,
  type FleetClientConfig,
  type FleetClientContext,
  type RequestMeta,
} from './client-context';
import {
  confirmOwnerCopy,
  importKey,
  revealQr,
  type ImportKeyResult,
  type QrReveal,
} from './client-keys';
import {
  checkSession,
  codeNow,
  createSiteOffsetProbe,
  type OnDemandCode,
  type SessionCheckRequest,
} from './client-sessions';
import { ownedWorkerConnectionOptions, producerConnection } from './connection';
import { OutcomeSchema, type Outcome } from './jobs';
import { JobName, QueueName } from './names';
import { createProducer } from './producer';

export {
  auditActorOf,
  type FleetClientConfig,
  type FleetClientContext,
  type RequestMeta,
} from './client-context';
export {
  normalizeCookies,
  type AccountView,
  type EmailCodeResult,
  type KeyVersionView,
  type RegisterAccountInput,
  type UpdateAccountInput,
} from './client-accounts';
export { parseImportedKey, type ImportKeyResult, type QrReveal } from './client-keys';
export type { OnDemandCode, SessionCheckRequest } from './client-sessions';
export {
  KeyAlreadyActiveError,
  NoActiveKeyError,
  OwnerCodeMismatchError,
  OwnerCopyRequiredError,
  QrRevealLimitError,
  TwoFactorBusyError,
} from './client-errors';

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

/** How a job ended. `code` is the taxonomy code the runtime wrote as `"<code>: <message>"`. */
export type JobOutcome =
  | { readonly status: 'completed'; readonly jobId: string; readonly result: Outcome }
  | {
      readonly status: 'failed';
      readonly jobId: string;
      readonly code: string;
      readonly message: string;
    };

/** What jobStatus reads. */
export interface JobStatus {
  readonly jobId: string;
  readonly queue: QueueName;
  readonly accountId: string | null;
  readonly state: string;
  readonly step: string | null;
  readonly outcome: JobOutcome | null;
}

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

/** The fleet client. */
export interface FleetClient {
  /**
   * Registers an account: password, cookies and proxy auth sealed (bound to a fresh id) before
   * the insert; audits `account.created`. AccountExistsError for a taken (tenant, externalId).
   */
  registerAccount(input: RegisterAccountInput, meta: RequestMeta): Promise<AccountRecord>;
  /**
   * Replaces the password, cookies or proxy (write-only, sealed; `null` clears) or sets the
   * main app's status word (`active`, `checking`, `disconnected`); audits `account.updated`.
   */
  updateAccount(
    accountId: string,
    input: UpdateAccountInput,
    meta: RequestMeta,
  ): Promise<AccountRecord>;
  /**
   * Removes the account: its schedule, its keys (revoked, material destroyed) and its document
   * with the sealed credentials; the audit trail stays (`account.removed`). Refused while 2FA
   * is changing (TwoFactorBusyError) and while an active key is one the owner has not
   * confirmed holding (OwnerCopyRequiredError): that would lock the owner out of LinkedIn.
   */
  removeAccount(accountId: string, meta: RequestMeta): Promise<void>;
  /**
   * A one-time link token for the account's owner page (valid 24 h; see
   * shared/db/owner-session.repo.ts). Secret: hand it to the owner only. Audited.
   */
  createOwnerLink(
    accountId: string,
    meta: RequestMeta,
  ): Promise<{ token: string; expiresAt: Date }>;
  /** The account's audit trail, newest first (`before`: the previous page's `nextBefore`). */
  auditTrail(accountId: string, opts?: { limit?: number; before?: string }): Promise<AuditPage>;
  /** The account, its desired 2FA state and its key versions; AccountNotFoundError if none. */
  getAccount(accountId: string): Promise<AccountView>;
  /**
   * Asks for 2FA on: account exists (AccountNotFoundError) and is `active`
   * (AccountNotActiveError) → toggle guard (ToggleCooldownError) → one deduplicated
   * `reconcile-2fa`; audits `two_factor.enable_requested`.
   */
  enable(accountId: string, meta: RequestMeta): Promise<ToggleResult>;
  /** Asks for 2FA off: account exists → toggle guard → job; audits `two_factor.disable_requested`. */
  disable(accountId: string, meta: RequestMeta): Promise<ToggleResult>;
  /**
   * Stores the code LinkedIn e-mailed the owner (4–8 digits) sealed, audits
   * `email_code.submitted`, and wakes the job that waits for it (a parked one runs now).
   */
  submitEmailCode(accountId: string, code: string, meta: RequestMeta): Promise<EmailCodeResult>;
  /**
   * Stores an owner's existing key (base32 or otpauth URI, SHA1/6/30 only) as a pending
   * version and enqueues `verify-imported-key`; KeyAlreadyActiveError when a key is active.
   * Audits `key.imported`.
   */
  importKey(accountId: string, keyOrUri: string, meta: RequestMeta): Promise<ImportKeyResult>;
  /**
   * The active key as otpauth URI, PNG and SVG (NoActiveKeyError without one), at most
   * `config.enrollment.qrRevealLimit` times per rolling 24 h (QrRevealLimitError with
   * `retryAfter`). Audits `key.revealed` before returning.
   */
  revealQr(accountId: string, meta: RequestMeta): Promise<QrReveal>;
  /**
   * Checks a code from the owner's authenticator app against the active key (±1 step);
   * OwnerCodeMismatchError on a mismatch. On a match sets `twoFactor.ownerHasCopy`. Audits
   * `key.owner_confirmed` or `key.owner_check_failed`.
   */
  confirmOwnerCopy(
    accountId: string,
    code: string,
    meta: RequestMeta,
  ): Promise<{ ownerHasCopy: true }>;
  /**
   * Enqueues a session check of the account (deduplicated: one per account at a time); the
   * challenge worker signs in if the session is gone and answers LinkedIn's prompts. Wait with
   * `waitForOutcome(jobId, { queue: 'session-check', … })`. Audits `session.check_requested`.
   */
  checkSession(accountId: string, meta: RequestMeta): Promise<SessionCheckRequest>;
  /**
   * A fresh code of the active key for the main app to type itself (NoActiveKeyError without
   * one), on the site's clock (one HEAD request for its Date header, cached 5 min), with at
   * least TOTP_MIN_REMAINING_SECONDS left and its step claimed in Mongo like a worker's, so it
   * is never a step anyone else used. Audits `key.used` (purpose `on_demand`) before returning.
   */
  codeNow(accountId: string, meta: RequestMeta): Promise<OnDemandCode>;
  /**
   * A job's state now, without waiting: its account, BullMQ state, last progress step and,
   * once finished, its outcome. PermanentError `job_not_found` when there is no such job.
   */
  jobStatus(queue: QueueName, jobId: string): Promise<JobStatus>;
  /** Resolves with how the job (and any follow-up) ended; WaitTimeoutError after `timeoutMs`. */
  waitForOutcome(jobId: string, opts: WaitOptions): Promise<JobOutcome>;
  /** Closes the queues and the shared producer connection's users (not Mongo). */
  close(): Promise<void>;
}

/** Options of createFleetClient. */
export interface FleetClientOptions {
  readonly config: FleetClientConfig;
  /** The repositories (accounts, keys, audit) on the caller's connection. */
  readonly repos: Repositories;
  /** Seals what the client stores and opens the key it reveals or checks. */
  readonly vault: Vault;
  readonly clock?: Clock;
  readonly log?: Logger;
  /** Defaults to the repository on mongoose's default connection (call connectMongo first). */
  readonly desired?: DesiredStateRepo;
  /** The toggle guard's limits; default `config.toggle` (TOGGLE_COOLDOWN_SECONDS, TOGGLE_DAILY_LIMIT). */
  readonly limits?: ToggleLimits;
  /** Defaults to the shared fail-fast client of connection.ts. */
  readonly connection?: Redis;
  /** "Site time minus ours" for codes on demand; default a HEAD request to the site, cached. */
  readonly siteOffsetMs?: () => Promise<number>;
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
  auditActorOf(meta);
  const account = await requireAccount(ctx, accountId);
  // The worker re-checks when it runs: the status may change while the job waits.
  if (desired === 'on' && account.status !== 'active') {
    throw new AccountNotActiveError(account.id, account.status);
  }
  const now = new Date(ctx.clock.nowMs());
  const state = await ctx.desired.requestDesired(account.id, desired, now, ctx.limits);
  const requestId = requestIdOf(meta);
  const { jobId, deduplicated } = await ctx.producer.enqueue(JobName.Reconcile2fa, {
    v: 1,
    accountId: account.id,
    requestId,
    reason: 'owner_request',
  });
  await audit(
    ctx,
    account,
    meta,
    desired === 'on' ? 'two_factor.enable_requested' : 'two_factor.disable_requested',
    { jobId, details: { changed: state.changed, deduplicated } },
  );
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

async function jobStatus(
  ctx: FleetClientContext,
  queueName: QueueName,
  jobId: string,
): Promise<JobStatus> {
  const queue = ctx.producer.queue(queueName);
  const job = await queue.getJob(jobId);
  if (!job) throw new PermanentError('job_not_found', `no job ${jobId} in ${queueName}`);
  const data = job.data as { accountId?: unknown };
  return {
    jobId,
    queue: queueName,
    accountId: typeof data?.accountId === 'string' ? data.accountId : null,
    state: await job.getState(),
    step: stepOf(job.progress),
    outcome: await finishedOutcome(queue, jobId),
  };
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
    repos: opts.repos,
    vault: opts.vault,
    limits: opts.limits ?? opts.config.toggle,
    connection,
  };
  const siteOffset = opts.siteOffsetMs ?? createSiteOffsetProbe(ctx);
  return {
    registerAccount: (input, meta) => registerAccount(ctx, input, meta),
    getAccount: (accountId) => getAccount(ctx, accountId),
    updateAccount: (accountId, input, meta) => updateAccount(ctx, accountId, input, meta),
    removeAccount: (accountId, meta) => removeAccount(ctx, accountId, meta),
    createOwnerLink: (accountId, meta) => createOwnerLink(ctx, accountId, meta),
    auditTrail: async (accountId, auditOpts) =>
      ctx.repos.audit.list((await requireAccount(ctx, accountId)).id, auditOpts),
    enable: (accountId, meta) => requestToggle(ctx, accountId, 'on', meta),
    disable: (accountId, meta) => requestToggle(ctx, accountId, 'off', meta),
    submitEmailCode: (accountId, code, meta) => submitEmailCode(ctx, accountId, code, meta),
    importKey: (accountId, keyOrUri, meta) => importKey(ctx, accountId, keyOrUri, meta),
    revealQr: (accountId, meta) => revealQr(ctx, accountId, meta),
    confirmOwnerCopy: (accountId, code, meta) => confirmOwnerCopy(ctx, accountId, code, meta),
    checkSession: (accountId, meta) => checkSession(ctx, accountId, meta),
    codeNow: (accountId, meta) => codeNow(ctx, siteOffset, accountId, meta),
    jobStatus: (queue, jobId) => jobStatus(ctx, queue, jobId),
    waitForOutcome: (jobId, waitOpts) => waitForOutcome(ctx, jobId, waitOpts),
    close: () => ctx.producer.close(),
  };
}
