/**
 * Settings › Sign in & security › Two-step verification (§3). Every action names both the
 * legacy classes (`.opt-in`, `.continue`, `#verify-password`, `#enter-code`, …) and the ARIA
 * names ("Set up", "Continue", "Submit", "Verify", "Turn off"), so either markup works.
 */
import { clearErrors, clickAny, fillAny, pickVisible } from '../actions';
import {
  CodeRequiredError,
  IdentityCheckRequiredError,
  UnknownScreenError,
  WrongScreenError,
} from '../errors';
import type { Screen, ScreenOf, SettingsStep, TwoStepMethod } from '../screen';
import { ACTIONS, PATHS, PROBES } from '../site-map';
import { SitePage } from './base.page';
import { waitForApproval, type ApprovalOutcome } from './checkpoint.page';
import { readKeyText, readQrPng, type SetupKey } from './setup-key';
import { evaluateIn } from '../in-page';

type Settings = ScreenOf<'two_step_settings'>;
const at = (s: Screen, ...steps: SettingsStep[]): s is Settings =>
  s.kind === 'two_step_settings' && steps.includes(s.step);
/** Still on `steps` with no error shown: the submit has not been answered yet. */
const waiting = (s: Screen, ...steps: SettingsStep[]): boolean =>
  at(s, ...steps) && s.error === null;

/** The step a screen stands for; login checkpoints reused as identity checks map too. */
function stepOf(s: Screen): SettingsStep | null {
  if (s.kind === 'two_step_settings') return s.step;
  if (s.kind === 'email_pin') return 'identity_email_pin';
  if (s.kind === 'app_approval') return 'identity_app_approval';
  return null;
}

/** Page object of the two-step verification settings. */
export class TwoStepSettingsPage extends SitePage {
  /**
   * Opens the current settings URL, falling back to the legacy one when it is missing (404) or
   * unrecognised. Returns the screen: a login/authwall/checkpoint is returned for the caller.
   */
  async open(): Promise<Screen> {
    const status = await this.goto(PATHS.twoStepSettings);
    if (status !== 404 && status !== 410) {
      try {
        return await this.detect();
      } catch (err) {
        if (!(err instanceof UnknownScreenError)) throw err;
      }
    }
    await this.goto(PATHS.twoStepSettingsLegacy);
    return this.detect();
  }

  /**
   * Re-opens a setup flow in progress (e.g. after parking on the e-mailed identity code) at
   * its current step. When the site no longer has the flow, the status page shows instead.
   */
  async resume(): Promise<Screen> {
    await this.goto(PATHS.twoStepSettingsResume);
    return this.detect();
  }

  /** On/Off and the method, from the status page. */
  async status(): Promise<{ on: boolean; method?: TwoStepMethod }> {
    const s = await this.detect();
    if (!at(s, 'status', 'done') || s.on === null) throw new WrongScreenError('two-step status', s);
    return s.method ? { on: s.on, method: s.method } : { on: s.on };
  }

  /** The current setup step. */
  async currentStep(): Promise<SettingsStep> {
    const s = await this.detect();
    const step = stepOf(s);
    if (!step) throw new WrongScreenError('two-step settings', s);
    return step;
  }

  /** "Set up" (legacy "Turn on") on the Off status page; returns the next step. */
  async startSetup(): Promise<SettingsStep> {
    const s = await this.detect();
    if (!at(s, 'status') || s.on !== false) throw new WrongScreenError('two-step status Off', s);
    await clickAny(this.page, ACTIONS.setUp, this.act);
    return this.stepAfter((n) => !at(n, 'status'));
  }

  /** Picks "Authenticator App" and continues; returns the next step. */
  async chooseAuthenticatorApp(): Promise<SettingsStep> {
    const s = await this.detect();
    if (!at(s, 'choose_method')) throw new WrongScreenError('choose method', s);
    const chosen = await evaluateIn(
      this.page,
      (sel: string) => {
        const select = document.querySelector<HTMLSelectElement>(sel);
        const option =
          select && Array.from(select.options).find((o) => /authenticator/i.test(o.text));
        if (select && option) {
          select.value = option.value;
          select.dispatchEvent(new Event('input', { bubbles: true }));
          select.dispatchEvent(new Event('change', { bubbles: true }));
          return true;
        }
        const radio = Array.from(
          document.querySelectorAll<HTMLInputElement>('input[type=radio]'),
        ).find((r) => /authenticator/i.test(`${r.value} ${r.labels?.[0]?.textContent ?? ''}`));
        radio?.click();
        return Boolean(radio);
      },
      PROBES.methodSelect,
    );
    if (!chosen) throw new WrongScreenError('an "Authenticator App" option', s);
    await clickAny(this.page, ACTIONS.continue, this.act);
    return this.stepAfter((n) => !at(n, 'choose_method'));
  }

  /** Password re-entry (`#verify-password`), for setup and for turning off. */
  async enterPassword(password: string): Promise<'ok' | 'wrong_password'> {
    const s = await this.detect();
    if (!at(s, 'password')) throw new WrongScreenError('password step', s);
    await fillAny(
      this.page,
      [PROBES.verifyPassword, '::-p-aria([name="Password"][role="textbox"])'],
      password,
      this.act,
    );
    await clearErrors(this.page);
    await clickAny(this.page, ACTIONS.passwordSubmit, this.act);
    const next = await this.detect((n) => !waiting(n, 'password'));
    return at(next, 'password') ? 'wrong_password' : 'ok';
  }

  /** The key text as shown and the QR as PNG bytes (§3.2 step 5). Shown once: keep both. */
  async readSetupKey(): Promise<SetupKey> {
    const s = await this.detect();
    if (!at(s, 'key')) throw new WrongScreenError('setup key step', s);
    return { keyText: await readKeyText(this.page), qrPng: await readQrPng(this.page) };
  }

  /** Types the confirmation code (continuing past the key step when needed). */
  async confirmCode(code: string): Promise<'ok' | 'wrong_code'> {
    let s = await this.detect();
    if (at(s, 'key') && !(await pickVisible(this.page, PROBES.enterCode, 'li-code'))) {
      await clickAny(this.page, ACTIONS.continue, this.act);
      s = await this.detect((n) => !at(n, 'key'));
    }
    if (!at(s, 'enter_code', 'key')) throw new WrongScreenError('enter code step', s);
    return this.submitCode(code);
  }

  /** The recovery codes, opening them from the done/status page when linked; null if none. */
  async readRecoveryCodes(): Promise<string[] | null> {
    let s = await this.detect();
    if (at(s, 'done', 'status') && (await pickVisible(this.page, PROBES.recoveryLink, 'li-rc'))) {
      await clickAny(this.page, ACTIONS.recoveryCodesLink, this.act);
      s = await this.detect((n) => !at(n, 'done', 'status'));
    }
    if (!at(s, 'recovery_codes')) return null;
    const codes = await evaluateIn(
      this.page,
      (sel: string) =>
        Array.from(document.querySelectorAll<HTMLElement>(sel))
          .filter((e) => e.checkVisibility())
          .map((e) => e.innerText.replace(/\s+/g, '').trim())
          .filter((t) => t.length > 0),
      PROBES.recoveryCode,
    );
    return codes.length > 0 ? codes : null;
  }

  /**
   * Turns two-step verification off: "Turn off", password, and a current code when asked.
   * Resumable: starts from whatever step is showing. An identity check throws
   * IdentityCheckRequiredError (answer it, then call again).
   */
  async turnOff(
    password: string,
    codeProvider?: () => Promise<string>,
  ): Promise<'ok' | 'wrong_password' | 'wrong_code'> {
    // Status → password → code → status: five steps leave room for one identity detour.
    for (let i = 0; i < 5; i++) {
      const s = await this.detect();
      const step = stepOf(s);
      if (at(s, 'status', 'done') && s.on === false) return 'ok';
      if (at(s, 'status', 'done')) {
        await clickAny(this.page, ACTIONS.turnOff, this.act);
        await this.detect((n) => !(at(n, 'status', 'done') && n.on === true));
      } else if (step === 'password') {
        if ((await this.enterPassword(password)) === 'wrong_password') return 'wrong_password';
      } else if (step === 'enter_code') {
        if (!codeProvider) throw new CodeRequiredError();
        if ((await this.submitCode(await codeProvider())) === 'wrong_code') return 'wrong_code';
      } else if (step === 'identity_email_pin' || step === 'identity_app_approval') {
        throw new IdentityCheckRequiredError(step);
      } else {
        throw new WrongScreenError('a turn-off step', s);
      }
    }
    throw new WrongScreenError('two-step status Off', await this.detect());
  }

  /** Answers the e-mail identity check (settings dialog or checkpoint form). */
  async submitIdentityPin(pin: string): Promise<'ok' | 'wrong_pin'> {
    const s = await this.detect();
    if (s.kind === 'email_pin') {
      await fillAny(this.page, [PROBES.emailPin], pin, this.act);
      await clearErrors(this.page);
      await clickAny(this.page, ACTIONS.emailPinSubmit, this.act);
      const next = await this.detect((n) => !(n.kind === 'email_pin' && n.error === null));
      return next.kind === 'email_pin' ? 'wrong_pin' : 'ok';
    }
    if (!at(s, 'identity_email_pin')) throw new WrongScreenError('identity PIN step', s);
    const input = await pickVisible(this.page, PROBES.identityPin, 'li-pin');
    await fillAny(this.page, [input ?? PROBES.identityPin], pin, this.act);
    await clearErrors(this.page);
    await clickAny(this.page, ACTIONS.identitySubmit, this.act);
    const next = await this.detect((n) => !waiting(n, 'identity_email_pin'));
    return at(next, 'identity_email_pin') ? 'wrong_pin' : 'ok';
  }

  /** Waits for the owner to approve the identity check in the LinkedIn app. */
  waitForApproval(opts: { timeoutMs: number; signal?: AbortSignal }): Promise<ApprovalOutcome> {
    return waitForApproval(this.page, opts);
  }

  private async submitCode(code: string): Promise<'ok' | 'wrong_code'> {
    await fillAny(
      this.page,
      [PROBES.enterCode, '::-p-aria([name="Verification code"][role="textbox"])'],
      code,
      this.act,
    );
    await clearErrors(this.page);
    await clickAny(this.page, ACTIONS.codeSubmit, this.act);
    const next = await this.detect((n) => !waiting(n, 'enter_code', 'key'));
    return at(next, 'enter_code', 'key') ? 'wrong_code' : 'ok';
  }

  private async stepAfter(until: (s: Screen) => boolean): Promise<SettingsStep> {
    const s = await this.detect(until);
    const step = stepOf(s);
    if (!step) throw new WrongScreenError('two-step settings', s);
    return step;
  }
}
