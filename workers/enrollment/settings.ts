/**
 * Reaching Settings › Two-step verification signed in, and answering its risk-based identity
 * check (linkedin-flows.md §3.2 step 2): the app approval is waited for in place for
 * APPROVAL_WAIT_SECONDS, then the job parks and re-checks without holding a browser; the
 * e-mailed code parks at once until the owner submits it, and any worker resumes from the
 * saved session.
 */
import { NeedsHumanError, RetryLaterError } from '../../shared/errors';
import type { Screen, SettingsStep, TwoStepSettingsPage } from '../site';
import type { AccountRun, AccountSession } from '../account-run';
import { firstScreen, signIn, type PromptKey } from '../sign-in';

/** The settings step a screen stands for, or null when it is not the settings. */
export function settingsStep(s: Screen): SettingsStep | null {
  if (s.kind === 'two_step_settings') return s.step;
  return null;
}

/**
 * Opens the settings (resuming a flow in progress when asked), signing in first when the
 * stored session is gone; a 2FA prompt is answered with `key` (default the active key; an
 * enrollment resumed after its code was confirmed passes `latest`, whose pending key is live).
 * Returns the settings screen.
 */
export async function openSettings(
  run: AccountRun,
  session: AccountSession,
  settings: TwoStepSettingsPage,
  opts: { resume: boolean; key?: PromptKey },
): Promise<Screen> {
  let screen = await firstScreen(run, session, () =>
    opts.resume ? settings.resume() : settings.open(),
  );
  if (screen.kind !== 'two_step_settings') {
    await signIn(run, session, screen, { key: opts.key ?? 'active' });
    screen = await settings.open();
  }
  if (screen.kind !== 'two_step_settings') {
    await signIn(run, session, screen, { key: opts.key ?? 'active' });
    screen = await settings.open();
  }
  session.markSignedIn();
  return screen;
}

/** Answers the identity check showing now; returns the screen after it. */
export async function passIdentityCheck(
  run: AccountRun,
  session: AccountSession,
  settings: TwoStepSettingsPage,
  step: 'identity_email_pin' | 'identity_app_approval',
): Promise<Screen> {
  const cfg = run.deps.config.enrollment;
  if (step === 'identity_app_approval') {
    const account = await run.account();
    if (account.twoFactor.state !== 'awaiting_app_approval') {
      await run.setTwoFactor(
        'awaiting_app_approval',
        'app_approval',
        'Approve the change in the LinkedIn app on your phone (tap Yes).',
      );
    }
    await run.step('awaiting_app_approval');
    const outcome = await settings.waitForApproval({
      timeoutMs: cfg.approvalWaitMs,
      signal: run.signal,
    });
    if (outcome === 'approved') {
      await run.setTwoFactor('enrolling');
      await run.step('identity_approved');
      return settings.detect((s) => !(settingsStep(s) === 'identity_app_approval'));
    }
    if (outcome === 'denied') {
      await run.setTwoFactor(
        'error',
        'app_approval_denied',
        'The change was denied in the LinkedIn app.',
      );
      throw new NeedsHumanError(
        'app_approval_denied',
        'the identity check was denied in the LinkedIn app',
        'Enable two-step verification again and tap Yes in the LinkedIn app.',
      );
    }
    session.markSignedIn();
    throw new RetryLaterError(
      'awaiting_app_approval',
      `the LinkedIn app approval was not answered (${outcome}); checking again later`,
      cfg.approvalRecheckMs,
    );
  }

  const sealed = await run.fenced(() => run.deps.repos.accounts.takeSealedEmailCode(run.accountId));
  if (sealed) {
    await run.step('submitting_email_code');
    if ((await settings.submitIdentityPin(run.open(sealed, 'email_code'))) === 'ok') {
      await run.setTwoFactor('enrolling');
      await run.step('identity_confirmed');
      return settings.detect();
    }
    await run.setTwoFactor(
      'awaiting_email_code',
      'wrong_code',
      'LinkedIn did not accept that code. Submit the newest code from the LinkedIn e-mail.',
    );
  } else {
    await run.setTwoFactor(
      'awaiting_email_code',
      'email_code',
      'LinkedIn sent a 6-digit code to the account’s e-mail. Submit it to continue.',
    );
  }
  await run.step('awaiting_email_code');
  session.markSignedIn();
  throw new RetryLaterError(
    'awaiting_email_code',
    sealed
      ? 'LinkedIn rejected the submitted e-mail code; waiting for the owner'
      : 'waiting for the owner to submit the code LinkedIn e-mailed',
    cfg.emailCodeWaitMs,
  );
}
