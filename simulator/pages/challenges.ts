/**
 * The other checkpoints: in-app approval (spec §2.5), CAPTCHA (§2.6), phone registration
 * (§2.7) and restricted accounts (§2.8).
 */
import { html, jsonForScript, raw, type SafeHtml } from '../html';
import type { Restriction } from '../types';
import { challengeHiddenFields, SECURITY_TITLE, type ChallengeModel } from './checkpoint';
import { checkpointShell, layout } from './layout';

/** Title of the app-approval page (spec §2.1). */
export const APP_CHALLENGE_TITLE = 'LinkedIn App Challenge';
/** reCAPTCHA Enterprise public site key seen on the real page (spec §2.6). */
const CAPTCHA_SITE_KEY = '6Lc7CQMTAAAAAIL84V_tPRYEWZtljsJQJZ5jSijw';

/** What the app-approval page shows. */
export interface AppChallengeModel {
  readonly state: 'pending' | 'denied' | 'expired';
  /** Text of #try-another-way, or null when there is no other way. */
  readonly anotherWay: string | null;
  readonly anotherWayHref: string;
  readonly statusUrl: string;
  readonly resendAction: string;
  readonly hidden: SafeHtml;
  readonly pollMs: number;
  readonly deniedText: string;
  readonly expiredText: string;
}

const POLL_SCRIPT = raw(`
(function poll() {
  setTimeout(function () {
    fetch(CFG.status, { credentials: 'same-origin', cache: 'no-store' })
      .then(function (r) { return r.json(); })
      .then(function (j) {
        if (j.redirectUrl) location.replace(j.redirectUrl);
        else if (j.status === 'pending') poll();
        else location.reload();
      })
      .catch(poll);
  }, CFG.pollMs);
})();`);

/** "Check your LinkedIn app" (pending), or its denied / expired state. */
export function appChallengePage(m: AppChallengeModel): SafeHtml {
  const another = m.anotherWay
    ? html`<a id="try-another-way" tabindex="0" role="link" href="${m.anotherWayHref}"
        >${m.anotherWay}</a
      >`
    : null;
  const content =
    m.state === 'pending'
      ? html`<h1 class="header__content__heading__inapp">Check your LinkedIn app</h1>
          <p class="header__content__subheading">
            We sent a notification to your signed in devices. Open your LinkedIn app and tap
            <b>Yes</b> to confirm your sign-in attempt.
          </p>
          <form method="post" action="${m.resendAction}">
            ${m.hidden}
            <button class="form__submit__inapp" id="reset-password-submit-button" type="submit">
              Resend
            </button>
          </form>`
      : html`<h1 class="header__content__heading__inapp" data-approval-state="${m.state}">
            ${m.state === 'denied' ? m.deniedText : m.expiredText}
          </h1>
          <a class="try-again" href="/login">Try again</a>`;
  return layout(
    APP_CHALLENGE_TITLE,
    html`<div id="app__container">
      <main class="app__content" role="main">
        <div class="header__content">${content}</div>
        ${another}
      </main>
    </div>`,
    m.state === 'pending'
      ? {
          script: html`var CFG =
          ${jsonForScript({ status: m.statusUrl, pollMs: m.pollMs })};${POLL_SCRIPT}`,
        }
      : {},
  );
}

/** "Let's do a quick security check" with a placeholder iframe (never solvable by a worker). */
export function captchaPage(m: ChallengeModel): SafeHtml {
  const body = html`<form
    id="captcha-challenge"
    method="post"
    action="/checkpoint/challenge/verify"
  >
    ${challengeHiddenFields(m, 'CAPTCHA')}
    <input type="hidden" name="captchaSiteKey" value="${CAPTCHA_SITE_KEY}" />
    <input type="hidden" name="captchaUserResponseToken" value="" />
    <iframe
      id="captcha-internal"
      title="Security check"
      width="360"
      height="420"
      src="${`/checkpoint/challenge/captchaInternal?challengeId=${m.challengeId}`}"
    ></iframe>
  </form>`;
  return layout(
    SECURITY_TITLE,
    checkpointShell(html`<h1>Let's do a quick security check</h1>`, m.error, body),
  );
}

/** The static inner frame of the CAPTCHA page. */
export function captchaFramePage(): SafeHtml {
  return layout(
    'reCAPTCHA',
    html`<div class="captcha-placeholder" data-sitekey="${CAPTCHA_SITE_KEY}">
      <p>Select all images with traffic lights</p>
      ${Array.from({ length: 6 }, (_, i) => html`<button type="button" class="captcha-tile" aria-label="${`Image ${i + 1}`}"></button>`)}
    </div>`,
  );
}

/** Phone registration, step 1 (number) or step 2 (the texted code). */
export function phoneRegisterPage(m: ChallengeModel): SafeHtml {
  const verify = m.step === 'phone_verify';
  const fields = verify
    ? html`<input
        id="input__phone_verification_pin"
        class="form__input--text input_verification_pin"
        name="pin"
        maxlength="6"
        inputmode="numeric"
        autocomplete="one-time-code"
        aria-label="Please enter the code here"
        type="text"
      />`
    : html`<select id="select-register-phone-country" name="phoneCountry" aria-label="Country">
          <option value="us" selected>United States (+1)</option>
          <option value="gb">United Kingdom (+44)</option>
          <option value="fr">France (+33)</option>
          <option value="de">Germany (+49)</option>
        </select>
        <input
          id="register-verification-phone-number"
          name="phoneNumber"
          type="tel"
          autocomplete="tel"
          aria-label="Phone number"
        />`;
  const body = html`<form
    id="register-phone-challenge"
    method="post"
    action="/checkpoint/challenge/verify"
  >
    ${challengeHiddenFields(m, verify ? 'PHONE_VERIFY' : 'PHONE_REGISTER')} ${fields}
    <button
      class="form__submit form__submit--stretch"
      id="register-phone-submit-button"
      type="submit"
    >
      ${verify ? 'Verify' : 'Send code'}
    </button>
  </form>`;
  const heading = verify ? "Let's verify your phone number" : 'Add a phone number to your account';
  return layout(
    SECURITY_TITLE,
    checkpointShell(html`<h1 class="content__header">${heading}</h1>`, m.error, body),
  );
}

/** The restricted-account page (temporary or permanent). */
export function restrictedPage(kind: Restriction): SafeHtml {
  const heading =
    kind === 'temporary'
      ? "We've restricted your account temporarily"
      : 'Your account has been restricted';
  const detail =
    kind === 'temporary'
      ? 'We noticed some unusual activity. Please try again later.'
      : 'Your account has been restricted because of a violation of our User Agreement.';
  return layout(
    'LinkedIn',
    html`<div id="app__container">
      <main class="app__content" role="main" id="pagekey-uas-account-restricted">
        <h1>${heading}</h1>
        <p>${detail}</p>
      </main>
    </div>`,
  );
}
