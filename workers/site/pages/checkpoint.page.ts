/**
 * Checkpoints after the password (§2): authenticator and e-mail PIN forms, app approval and
 * the skippable post-login interstitials (§2.7). CAPTCHA and the rest are only detected.
 */
import type { Page } from 'puppeteer-core';
import { clearErrors, clickAny, fillAny, setChecked } from '../actions';
import { detectScreen } from '../detect-screen';
import { ScreenTimeoutError } from '../errors';
import type { Screen } from '../screen';
import { ValidationError } from '../../../shared/errors';
import { ACTIONS, PATHS, PROBES, URLS } from '../site-map';
import { SitePage } from './base.page';

/** What a code submission led to. `next` is the screen after the submit. */
export interface CodeResult {
  readonly outcome: 'accepted' | 'rejected';
  /** The site's rejection text, when rejected. */
  readonly error: string | null;
  readonly next: Screen;
}

/** Outcome of waiting on an in-app approval. */
export type ApprovalOutcome = 'approved' | 'denied' | 'expired' | 'timeout';

/** Options of {@link CheckpointPage.submitAuthenticatorCode}. */
export interface AuthenticatorCodeOptions {
  /** Tick "remember this browser" (`#recognizedDevice`) when offered. Default true. */
  readonly rememberBrowser?: boolean;
}

const pendingApproval = (s: Screen): boolean =>
  (s.kind === 'app_approval' && s.state === 'pending') ||
  (s.kind === 'two_step_settings' &&
    s.step === 'identity_app_approval' &&
    s.approval === 'pending');

/**
 * Waits while an app-approval page (login or settings identity check) is pending. The page
 * polls and redirects by itself (§2.5); a blank interim page in between is waited through.
 */
export async function waitForApproval(
  page: Page,
  opts: { timeoutMs: number; signal?: AbortSignal },
): Promise<ApprovalOutcome> {
  try {
    const s = await detectScreen(page, { ...opts, until: (x) => !pendingApproval(x) });
    if (s.kind === 'app_approval' && s.state !== 'pending') return s.state;
    if (s.kind === 'two_step_settings' && s.approval && s.approval !== 'pending') return s.approval;
    return 'approved';
  } catch (err) {
    if (err instanceof ScreenTimeoutError && err.last && pendingApproval(err.last))
      return 'timeout';
    throw err;
  }
}

/** Page object of `/checkpoint/challenge/*` and `/check/*`. */
export class CheckpointPage extends SitePage {
  /** Types a TOTP code into `#input__phone_verification_pin`, ticks remember, submits. */
  async submitAuthenticatorCode(
    code: string,
    opts: AuthenticatorCodeOptions = {},
  ): Promise<CodeResult> {
    const s = await this.expect('authenticator_prompt');
    await fillAny(
      this.page,
      [PROBES.phonePin, '::-p-aria([name="Please enter the code here"][role="textbox"])'],
      code,
      this.act,
    );
    if ((opts.rememberBrowser ?? true) && s.rememberBrowser) {
      await setChecked(this.page, PROBES.recognizedDevice, true);
    }
    return this.submit(ACTIONS.twoStepSubmit, 'authenticator_prompt');
  }

  /** Types the e-mailed PIN into `#input__email_verification_pin` and submits. */
  async submitEmailPin(pin: string): Promise<CodeResult> {
    await this.expect('email_pin');
    await fillAny(
      this.page,
      [PROBES.emailPin, '::-p-aria([name="Verification code"][role="spinbutton"])'],
      pin,
      this.act,
    );
    return this.submit(ACTIONS.emailPinSubmit, 'email_pin');
  }

  /** The error shown on the current screen, if any. */
  async readError(): Promise<string | null> {
    const s = await this.detect();
    if (s.kind === 'bad_credentials') return s.message;
    if ('error' in s) return s.error;
    return null;
  }

  /** App approval → "try another way" (e.g. "Verify using authenticator app"); the next screen. */
  async tryAnotherWay(): Promise<Screen> {
    await this.expect('app_approval');
    await clickAny(this.page, ACTIONS.tryAnotherWay, this.act);
    return this.detect((s) => s.kind !== 'app_approval');
  }

  /** Waits for the owner to answer the in-app approval. */
  waitForApproval(opts: { timeoutMs: number; signal?: AbortSignal }): Promise<ApprovalOutcome> {
    return waitForApproval(this.page, opts);
  }

  /** Where the checkpoint is now (path and query), to come back to it after parking. */
  location(): string {
    const u = new URL(this.page.url());
    return `${u.pathname}${u.search}`;
  }

  /**
   * Comes back to a checkpoint left earlier (a `location()`), in a context with that login's
   * cookies; the screen it shows (the same checkpoint, or the login when it expired).
   */
  async resume(path: string): Promise<Screen> {
    if (!URLS.checkpoint.test(path)) {
      throw new ValidationError('a checkpoint path must start with /checkpoint/', 'path');
    }
    await this.goto(path);
    return this.detect();
  }

  /** Opens the feed: a live session stays there, a dead one lands on the login or auth wall. */
  async openFeed(): Promise<Screen> {
    await this.goto(PATHS.feed);
    return this.detect();
  }

  /** Skips `/check/add-phone` or `/check/manage-account` (Skip, else Confirm); the next screen. */
  async skipInterstitial(): Promise<Screen> {
    const s = await this.expect('interstitial');
    const skip =
      (await this.page.$('.secondary-action')) ??
      (await this.page.$('::-p-aria([name="Skip"][role="button"])'));
    await clickAny(this.page, skip ? ACTIONS.skip : ACTIONS.confirm, this.act);
    return this.detect((n) => !(n.kind === 'interstitial' && n.which === s.which));
  }

  private async submit(
    button: readonly string[],
    kind: 'authenticator_prompt' | 'email_pin',
  ): Promise<CodeResult> {
    await clearErrors(this.page);
    await clickAny(this.page, button, this.act);
    const rejection = (n: Screen): string | null =>
      (n.kind === 'authenticator_prompt' || n.kind === 'email_pin') && n.kind === kind
        ? n.error
        : null;
    const next = await this.detect((n) => n.kind !== kind || rejection(n) !== null);
    const error = rejection(next);
    return error !== null
      ? { outcome: 'rejected', error, next }
      : { outcome: 'accepted', error: null, next };
  }
}
