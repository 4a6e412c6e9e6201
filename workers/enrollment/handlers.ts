/**
 * The enrollment queue's handlers: `reconcile-2fa` moves LinkedIn 2FA toward the owner's
 * desired state (read from Mongo when the job runs, never carried in the payload);
 * `verify-imported-key` proves an imported key. Both hold the account's lease while they work.
 */
import { AccountNotActiveError } from '../../shared/db';
import type { DesiredState } from '../../shared/db/desired-state.repo';
import { FleetError, NeedsHumanError, PermanentError } from '../../shared/errors';
import type { Processor } from 'bullmq';
import { JobName } from '../../queues/names';
import type { Outcome } from '../../queues/jobs';
import { AccountRun, recordEvent, type FleetDeps } from '../account-run';
import { routeByName, toProcessor, type Handler, type ProcessorDeps } from '../runtime';
import { disable } from './disable';
import { enable } from './enable';
import { verifyImported } from './verify-import';

/**
 * Records a final failure as the account's 2FA state (reason = the error code), so the main
 * app reads why. Best effort and unfenced: the run no longer holds a lease.
 */
async function recordFailure(deps: FleetDeps, accountId: string, err: unknown): Promise<void> {
  if (!(err instanceof PermanentError) || !(err instanceof FleetError)) return;
  const message = err instanceof NeedsHumanError && err.instruction ? err.instruction : err.message;
  const code = err.code;
  await (async () => {
    await deps.repos.accounts.setTwoFactor(accountId, { state: 'error', reason: code, message });
    const account = await deps.repos.accounts.findById(accountId);
    if (account) {
      await recordEvent(
        deps,
        account,
        'two_factor.state_changed',
        { state: 'error', reason: code },
        null,
      );
    }
  })().catch(() => undefined);
}

/**
 * Keeps the account's scheduled session checks in line with its key: scheduled while a key is
 * active (a disconnection is then found and repaired before the main app notices), removed
 * once 2FA is off.
 */
async function syncSchedule(deps: FleetDeps, accountId: string, on: boolean): Promise<void> {
  if (on) {
    await deps.producer.scheduleSessionChecks(accountId, deps.config.challenge.checkIntervalMs);
  } else {
    await deps.producer.unscheduleSessionChecks(accountId);
  }
}

/** `reconcile-2fa`. */
export function reconcileHandler(deps: FleetDeps): Handler<typeof JobName.Reconcile2fa> {
  return async (payload, ctx) => {
    const run = new AccountRun(deps, payload.accountId, ctx);
    const desired: DesiredState | null = await deps.desired.getDesired(payload.accountId);
    if (!desired) return { status: 'skipped', reason: 'no_desired_state' };
    try {
      const account = await run.account();
      if (desired.desired === 'on' && account.status !== 'active') {
        throw new AccountNotActiveError(account.id, account.status);
      }
      const detail = await run.withLease(() =>
        desired.desired === 'on' ? enable(run) : disable(run),
      );
      await syncSchedule(deps, payload.accountId, desired.desired === 'on');
      await run.step('done');
      const followUpJobId = await deps.producer.requeueIfDesiredChanged({
        jobId: ctx.jobId,
        accountId: payload.accountId,
        reconciledTo: desired.desired,
        requestId: payload.requestId,
        desired: deps.desired,
      });
      const outcome: Outcome = { status: 'done', detail, desired: desired.desired };
      return followUpJobId ? { ...outcome, followUpJobId } : outcome;
    } catch (err) {
      await recordFailure(deps, payload.accountId, err);
      throw err;
    }
  };
}

/** `verify-imported-key`. */
export function verifyImportHandler(deps: FleetDeps): Handler<typeof JobName.VerifyImportedKey> {
  return async (payload, ctx) => {
    const run = new AccountRun(deps, payload.accountId, ctx);
    try {
      const detail = await run.withLease(() => verifyImported(run));
      if (detail === 'imported') await syncSchedule(deps, payload.accountId, true);
      await run.step('done');
      return { status: 'done', detail, desired: 'on' };
    } catch (err) {
      if (!(err instanceof NeedsHumanError && err.code === 'key_rejected')) {
        await recordFailure(deps, payload.accountId, err);
      }
      throw err;
    }
  };
}

/** The enrollment queue's processor. */
export function enrollmentProcessor(
  deps: FleetDeps,
  processorDeps: ProcessorDeps,
): Processor<unknown, Outcome> {
  return routeByName({
    [JobName.Reconcile2fa]: toProcessor(
      JobName.Reconcile2fa,
      reconcileHandler(deps),
      processorDeps,
    ),
    [JobName.VerifyImportedKey]: toProcessor(
      JobName.VerifyImportedKey,
      verifyImportHandler(deps),
      processorDeps,
    ),
  });
}
