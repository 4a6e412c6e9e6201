/** Classic code checkpoints: e-mail PIN (spec §2.2), authenticator and SMS prompts (§2.3–2.4). */
import { html, jsonForScript, type SafeHtml } from '../html';
import type { Settings } from '../settings';
import type { ChallengeStep } from '../types';
import { checkpointShell, hiddenInputs, layout } from './layout';

/** Title of the e-mail PIN and CAPTCHA pages (spec §2.1). */
export const SECURITY_TITLE = 'Security Verification | LinkedIn';
/** Wrong-code banner of the 2FA prompts (spec §2.3). */
export const WRONG_2FA_CODE_TEXT =
  "The verification code you entered isn't valid. Please check the code and try again.";
/** Wrong e-mail PIN text (spec §2.2). */
export const WRONG_PIN_TEXT = "Hmm, that's not the right code";
/** Expired code text [inferred]. */
export const EXPIRED_CODE_TEXT = 'This code has expired. Please request a new code.';

/** What a challenge page needs to know. */
export interface ChallengeModel {
  readonly challengeId: string;
  readonly ut: string;
  readonly csrf: string;
  readonly step: ChallengeStep;
  readonly error: string | null;
  readonly toast: string | null;
  readonly settings: Settings;
  readonly phoneLast4: string;
  readonly hasRecoveryCodes: boolean;
  readonly recovery: boolean;
}

/** Hidden inputs of every classic challenge form (spec §2.1). */
export function challengeHiddenFields(m: ChallengeModel, challengeType: string): SafeHtml {
  return html`${hiddenInputs({
      csrfToken: m.csrf,
      pageInstance: `urn:li:page:d_checkpoint_ch_${challengeType.toLowerCase()};sim`,
      challengeId: m.challengeId,
      language: 'en-US',
      displayTime: '0',
      challengeSource: 'CONSUMER_LOGIN',
      requestSubmissionId: m.ut,
      challengeType,
      challengeData: '',
      challengeDetails: '',
      failureRedirectUri: '',
      flowTreeId: m.ut,
      signInLink: '/login',
      joinNowLink: '/signup/cold-join',
      _s: 'CONSUMER_LOGIN',
      spd: '',
    })}<input
      type="hidden"
      id="input-resend-pin-url"
      name="resendUrl"
      value="/checkpoint/challenge/resend"
    />`;
}

function toast(text: string | null): SafeHtml | null {
  return text
    ? html`<artdeco-toasts><div class="artdeco-toast" role="status">${text}</div></artdeco-toasts>`
    : null;
}

function resendForm(m: ChallengeModel, label: string, id: string): SafeHtml {
  return html`<form method="post" action="/checkpoint/challenge/resend" class="resend-form">
    <input type="hidden" name="challengeId" value="${m.challengeId}" />
    <button id="${id}" class="btn__tertiary" type="submit">${label}</button>
  </form>`;
}

/** The e-mail PIN page ("Let's do a quick verification"). */
export function emailPinPage(m: ChallengeModel): SafeHtml {
  const body = html`<p class="content__subheader">
      The login attempt seems suspicious. To finish signing in please enter the verification code we
      sent to your email address.
    </p>
    <form id="email-pin-challenge" method="post" action="/checkpoint/challenge/verify">
      ${challengeHiddenFields(m, 'EMAIL_PIN')}
      <div class="form__input">
        <input
          class="form__input--text input_verification_pin"
          name="pin"
          maxlength="6"
          pattern="[0-9]*"
          autocorrect="off"
          placeholder="Enter code"
          id="input__email_verification_pin"
          aria-label="Verification code"
          aria-describedby="email-pin-error"
          aria-required="true"
          validation="pin"
          validation-message="Hmm, that's not the right code"
          data-empty-code-validation-message="Please enter the code"
          type="number"
        />
        <div
          id="email-pin-error"
          class="form__label--error${m.error ? '' : ' hidden__imp'}"
          role="alert"
          aria-live="assertive"
        >
          ${m.error ?? ''}
        </div>
      </div>
      <button
        class="form__submit form__submit--stretch"
        id="email-pin-submit-button"
        aria-label="Submit pin"
        type="submit"
      >
        Submit
      </button>
    </form>
    ${resendForm(m, 'Resend code', 'btn-resend-pin')} ${toast(m.toast)}`;
  return layout(
    SECURITY_TITLE,
    checkpointShell(
      html`<h1 class="content__header">Let's do a quick verification</h1>`,
      null,
      body,
    ),
  );
}

/** The authenticator-app or SMS prompt (same form and ids; TOTP wrapped in #auth-app-div). */
export function twoStepPage(m: ChallengeModel): SafeHtml {
  const totp = m.step === 'totp';
  const heading = totp
    ? m.settings.totpHeading
    : m.settings.smsHeading.replace('{last4}', m.phoneLast4);
  const maxlength = m.recovery ? String(m.settings.recoveryCodeDigits) : '6';
  const label = m.recovery ? 'Enter a recovery code' : 'Please enter the code here';
  const extra = m.recovery
    ? html`<a href="${`/checkpoint/challenge/${m.challengeId}?ut=${m.ut}`}"
        >Use your authenticator app instead</a
      >`
    : totp && m.hasRecoveryCodes
      ? html`<a
          id="use-recovery-code"
          href="${`/checkpoint/challenge/${m.challengeId}?ut=${m.ut}&recovery=1`}"
          >Use a recovery code</a
        >`
      : !totp
        ? resendForm(m, 'Resend code', 'btn-resend-pin')
        : null;
  const form = html`<form
      id="two-step-challenge"
      method="post"
      action="/checkpoint/challenge/verify"
    >
      ${challengeHiddenFields(m, totp ? 'AUTHENTICATOR_APP' : 'SMS_PIN')}
      ${m.recovery ? html`<input type="hidden" name="recoveryCode" value="true" />` : null}
      <div class="form__input">
        <input
          id="input__phone_verification_pin"
          class="form__input--text input_verification_pin"
          name="pin"
          maxlength="${maxlength}"
          inputmode="numeric"
          autocomplete="one-time-code"
          pattern="[0-9]*"
          aria-label="${label}"
          aria-describedby="phone-pin-error"
          type="text"
        />
        <div id="phone-pin-error" class="form__label--error hidden__imp"></div>
      </div>
      <div class="recognized-device">
        <input id="recognizedDevice" name="recognizedDevice" type="checkbox" value="on" />
        <label for="recognizedDevice">${m.settings.recognizedDeviceLabel}</label>
      </div>
      <button
        class="form__submit form__submit--stretch"
        id="two-step-submit-button"
        aria-label="Submit code"
        type="submit"
      >
        Submit
      </button>
    </form>
    ${extra} ${toast(m.toast)}`;
  return layout(
    totp ? m.settings.totpPageTitle : SECURITY_TITLE,
    checkpointShell(
      html`<h1 class="content__header">${heading}</h1>`,
      m.error,
      form,
      totp ? 'auth-app-div' : undefined,
    ),
  );
}

/**
 * The blank page served while a slow post-2FA redirect is pending (spec §2.3): it stays for
 * `delayMs`, then moves on by a one-line timer (a whole-second meta refresh without JS).
 */
export function interimPage(next: string, delayMs: number): SafeHtml {
  return layout('LinkedIn', null, {
    head: html`<noscript
      ><meta http-equiv="refresh" content="${`${Math.ceil(delayMs / 1000)};url=${next}`}"
    /></noscript>`,
    bodyClass: 'interim',
    script: html`setTimeout(function () { location.replace(${jsonForScript(next)}); }, ${delayMs});`,
  });
}
