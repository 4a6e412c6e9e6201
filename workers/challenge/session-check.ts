/**
 * `session-check`: keeps an account connected. Opens LinkedIn with the stored cookies; a live
 * session is recorded and refreshed. Otherwise signs in with the stored credentials and answers
 * what LinkedIn shows in the documented order (sign-in.ts): an authenticator prompt with a
 * claimed code of the active key, app approval by "Try another way" when we hold a key (else
 * wait, then park), an e-mailed PIN by parking at its checkpoint until the owner submits the
 * code, interstitials skipped, and every screen that needs a person turned into a status with a
 * precise reason. Never hammers: what needs the owner fails once, rate limits park with jitter.
 */
import { AccountNotFoundError, type AccountRecord, type AccountStatus } from '../../shared/db';
import { errorCodeOf, NeedsHumanError, RetryLaterError, retryPolicyOf } from '../../shared/errors';
import type { JobName } from '../../queues/names';
import { CheckpointPage } from '../site';
import { AccountRun, recordEvent, type FleetDeps } from '../account-run';
import type { Handler } from '../runtime';
import { firstScreen, signIn } from '../sign-in';

/** How a check ended, for the outcome and the audit trail. */
export type CheckResult = 'session_alive' | 'signed_in' | 'challenge_answered';

/** The account status a failed check leaves, by error code; codes not listed keep the status. */
const FAILURE_STATUS: Readonly<Record<string, { status: AccountStatus; reason: string }>> = {
  awaiting_email_code: { status: 'needs_user_action', reason: 'email_pin' },
  awaiting_app_approval: { status: 'needs_user_action', reason: 'app_approval' },
  app_approval_denied: { status: 'needs_user_action', reason: 'app_approval_denied' },
  captcha: { status: 'needs_user_action', reason: 'captcha' },
  phone_register: { status: 'needs_user_action', reason: 'phone_register' },
  sms_prompt: { status: 'needs_user_action', reason: 'sms_prompt' },
  code_rejected: { status: 'needs_user_action', reason: 'code_rejected' },
  two_factor_prompt_without_key: { status: 'needs_user_action', reason: 'no_key' },
  bad_credentials: { status: 'needs_user_action', reason: 'bad_credentials' },
  missing_credentials: { status: 'incomplete', reason: 'missing_credentials' },
  missing_password: { status: 'needs_user_action', reason: 'missing_password' },
  restricted: { status: 'restricted', reason: 'restricted' },
  rate_limited: { status: 'rate_limited', reason: 'rate_limited' },
  unknown_screen: { status: 'disconnected', reason: 'unknown_screen' },
  unexpected_screen: { status: 'disconnected', reason: 'unexpected_screen' },
};

/** Sentences for the owner when the error carries no instruction of its own. */
const WAITING_MESSAGES: Readonly<Record<string, string>> = {
  awaiting_email_code:
    'LinkedIn e-mailed a verification code to the account’s address: submit it to reconnect.',
  awaiting_app_approval: 'Approve the sign-in in the LinkedIn app on your phone (tap Yes).',
  rate_limited: 'LinkedIn asked us to slow down; the account is checked again shortly.',
};

/** One check in a browser context; the lease is held by the caller. */
export async function checkSession(run: AccountRun): Promise<CheckResult> {
  await run.step('opening_session');
  return run.browser({ fresh: false }, async (session) => {
    const checkpoint = new CheckpointPage(session.page, run.deps.config.linkedin.baseUrl, {
      signal: run.signal,
    });
    const first = await firstScreen(run, session, () => checkpoint.openFeed());
    if (first.kind === 'feed') {
      session.markSignedIn();
      return 'session_alive';
    }
    await run.fenced(() =>
      run.deps.repos.accounts.setStatus(run.accountId, {
        status: 'checking',
        reason: 'signing_in',
      }),
    );
    const { answeredWithVersion } = await signIn(run, session, first, { key: 'active' });
    return answeredWithVersion === null ? 'signed_in' : 'challenge_answered';
  });
}

/** Audits a status change (and so its webhook) when `status` differs from what it was. */
async function statusChanged(
  deps: FleetDeps,
  account: AccountRecord,
  status: AccountStatus,
  reason: string | null,
  jobId: string,
): Promise<void> {
  if (account.status === status && account.statusReason === reason) return;
  const details = { status, reason: reason ?? '', previous: account.status };
  await recordEvent(deps, account, 'account.status_changed', details, jobId);
}

/**
 * Records a failed check as the account's status (best effort, after the lease). A retryable
 * failure changes it only on the job's last attempt: the check failed, the account is
 * `disconnected` (reason: the error code) until a later check reconnects it.
 */
async function recordFailure(
  deps: FleetDeps,
  account: AccountRecord,
  err: unknown,
  ctx: { lastAttempt: boolean; jobId: string },
): Promise<void> {
  const accountId = account.id;
  const code = errorCodeOf(err);
  const mapped =
    FAILURE_STATUS[code] ??
    (retryPolicyOf(err) === 'retry' && ctx.lastAttempt
      ? { status: 'disconnected' as const, reason: code }
      : undefined);
  const now = new Date(deps.clock.nowMs());
  await deps.repos.accounts.touch(accountId, 'failure', now).catch(() => undefined);
  if (!mapped) return;
  const message =
    WAITING_MESSAGES[code] ??
    (err instanceof NeedsHumanError && err.instruction ? err.instruction : undefined);
  await deps.repos.accounts
    .setStatus(accountId, { ...mapped, ...(message ? { message } : {}) })
    .catch(() => undefined);
  await statusChanged(deps, account, mapped.status, mapped.reason, ctx.jobId).catch(
    () => undefined,
  );
}

/** `session-check`. */
export function sessionCheckHandler(deps: FleetDeps): Handler<typeof JobName.SessionCheck> {
  return async (payload, ctx) => {
    const run = new AccountRun(deps, payload.accountId, ctx);
    let account;
    try {
      account = await run.account();
    } catch (err) {
      if (err instanceof AccountNotFoundError) return { status: 'skipped', reason: 'no_account' };
      throw err;
    }
    if (account.status === 'incomplete') return { status: 'skipped', reason: 'incomplete' };
    try {
      const result = await run.withLease(async () => {
        const r = await checkSession(run);
        const now = new Date(deps.clock.nowMs());
        await run.fenced(async () => {
          await deps.repos.accounts.setStatus(run.accountId, { status: 'active' });
          await deps.repos.accounts.touch(run.accountId, 'check', now);
          if (r === 'challenge_answered') {
            await deps.repos.accounts.touch(run.accountId, 'challenge', now);
          }
        });
        await run.audit('session.checked', {
          result: r,
          reason: payload.reason ?? 'owner_request',
        });
        await statusChanged(deps, account, 'active', null, ctx.jobId);
        return r;
      });
      await run.step('done');
      return { status: 'done', detail: result };
    } catch (err) {
      if (errorCodeOf(err) !== 'account_busy') {
        await recordFailure(deps, account, err, ctx);
        if (!(err instanceof RetryLaterError)) {
          await run
            .audit('session.check_failed', { code: errorCodeOf(err) })
            .catch(() => undefined);
        }
      }
      throw err;
    }
  };
}
