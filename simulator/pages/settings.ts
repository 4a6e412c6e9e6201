/**
 * Settings › Sign in & security › Two-step verification (spec §3). Legacy class names and ids
 * (`.opt-in`, `.opt-out`, `select#two-step-method`, `.continue`, `#verify-password`,
 * `.authenticator-QRImage`, `.authenticator-key`, `#enter-code`, …) sit next to ARIA names
 * and `data-test-*` hooks, so class-based and role-based locators both work.
 */
import { html, jsonForScript, raw, type HtmlValue, type SafeHtml } from '../html';
import type { TwoFactorMethod } from '../types';
import { layout } from './layout';

/** Title of the settings pages. */
export const SETTINGS_TITLE = 'Two-step verification | LinkedIn';
/** Method labels (spec §3.1). */
export const METHOD_LABELS: Record<TwoFactorMethod, string> = {
  authenticator: 'Authenticator App',
  sms: 'Phone Number (SMS)',
};

function page(body: HtmlValue, script?: SafeHtml): SafeHtml {
  return layout(
    SETTINGS_TITLE,
    html`<header id="global-nav" class="global-nav">
        <nav aria-label="Primary Navigation">
          <a href="/feed/">Home</a> <span class="global-nav__me">Me</span>
        </nav>
      </header>
      <main class="app__content settings-two-step" role="main">
        <h1>Two-step verification</h1>
        ${body}
      </main>`,
    script ? { script } : {},
  );
}

/** A step form posting `action` back to the settings URL. */
function stepForm(base: string, action: string, body: HtmlValue): SafeHtml {
  return html`<form method="post" action="${base}" data-test-two-step-step="${action}">
    <input type="hidden" name="action" value="${action}" />
    ${body}
  </form>`;
}

/** A modal step with a title (role=dialog, labelled). */
function dialog(title: string, body: HtmlValue, base: string): SafeHtml {
  return html`<div
    class="two-step-modal artdeco-modal"
    role="dialog"
    aria-modal="true"
    aria-labelledby="two-step-dialog-title"
  >
    <h2 id="two-step-dialog-title">${title}</h2>
    ${body}
    ${stepForm(base, 'cancel', html`<button type="submit" class="cancel artdeco-button--secondary" aria-label="Cancel">Cancel</button>`)}
  </div>`;
}

function errorP(id: string, text: string | null): SafeHtml {
  return html`<p id="${id}" class="error${text ? '' : ' hidden'}" role="alert">${text ?? ''}</p>`;
}

/** Landing: status On/Off with "Set up" or "Turn off" (spec §3.1, §3.2 step 1, §3.3). */
export function landingPage(
  base: string,
  enabled: boolean,
  method: TwoFactorMethod,
  hasRecoveryCodes: boolean,
  notice: string | null,
): SafeHtml {
  const state = enabled ? 'On' : 'Off';
  const via = method === 'authenticator' ? 'Via Authenticator app' : 'Via Phone Number (SMS)';
  return page(
    html`${notice ? html`<p class="notice" role="status" data-test-two-step-notice>${notice}</p>` : null}
      <section class="two-step-status" data-test-two-step-status>
        <p>
          Status:
          <span data-state-key="i18n_two_factor_auth_state_choice" data-test-two-step-state
            >${state}</span
          >
        </p>
        ${enabled ? html`<p class="two-step-via">${via}</p>` : html`<p>Add an extra layer of security to your account. Each time you sign in from a new device, you'll need your password and a verification code.</p>`}
        ${
          enabled
            ? html`${stepForm(base, 'disable-start', html`<button type="submit" class="opt-out artdeco-button" aria-label="Turn off" data-test-turn-off>Turn off</button>`)}
              ${hasRecoveryCodes ? html`<a class="recovery-codes-link" href="${`${base}?view=recovery-codes`}">Recovery Codes</a>` : null}`
            : stepForm(
                base,
                'start',
                html`<button
                  type="submit"
                  class="opt-in artdeco-button"
                  aria-label="Set up"
                  data-test-set-up
                >
                  Set up
                </button>`,
              )
        }
      </section>`,
  );
}

/** Identity check by e-mail PIN (spec §3.2 step 2a). */
export function identityPinStep(base: string, error: string | null): SafeHtml {
  return page(
    dialog(
      'Verify your identity',
      stepForm(
        base,
        'identity',
        html`<label for="email-verification-code"
            >Enter the 6-digit verification code sent to the email associated with your LinkedIn
            account</label
          >
          <input
            id="email-verification-code"
            name="pin"
            maxlength="6"
            inputmode="numeric"
            autocomplete="one-time-code"
            aria-label="Verification code"
          />
          ${errorP('identity-verification-error', error)}
          <button type="submit" class="continue artdeco-button" aria-label="Submit">
            Submit
          </button>`,
      ),
      base,
    ),
  );
}

/** Identity check by app approval (spec §3.2 step 2b), polling like the login page. */
export function identityAppStep(
  base: string,
  state: 'pending' | 'denied' | 'expired',
  statusUrl: string,
  pollMs: number,
  stateText: string,
): SafeHtml {
  const poll = raw(
    `(function p(){setTimeout(function(){fetch(CFG.status,{credentials:'same-origin',cache:'no-store'}).then(function(r){return r.json();}).then(function(j){if(j.redirectUrl)location.replace(j.redirectUrl);else if(j.status==='pending')p();else location.reload();}).catch(p);},CFG.pollMs);})();`,
  );
  const body =
    state === 'pending'
      ? html`<h3 class="header__content__heading__inapp">Check your LinkedIn app</h3>
          <p class="header__content__subheading">
            Open your LinkedIn app and tap <b>Yes</b> to approve this change.
          </p>`
      : html`<h3 class="header__content__heading__inapp" data-approval-state="${state}">
          ${stateText}
        </h3>`;
  return page(
    dialog('Verify your identity', body, base),
    state === 'pending'
      ? html`var CFG = ${jsonForScript({ status: statusUrl, pollMs })};${poll}`
      : undefined,
  );
}

/** Choose the method (spec §3.2 step 3). */
export function methodStep(base: string): SafeHtml {
  return page(
    dialog(
      'Set up two-step verification',
      stepForm(
        base,
        'method',
        html`<label for="two-step-method">Choose your verification method</label>
          <select id="two-step-method" name="method" aria-label="Choose your verification method">
            <option value="authenticator" selected>${METHOD_LABELS.authenticator}</option>
            <option value="sms">${METHOD_LABELS.sms}</option>
          </select>
          <button type="submit" class="continue artdeco-button" aria-label="Continue">
            Continue
          </button>`,
      ),
      base,
    ),
  );
}

/** Password re-entry (spec §3.2 step 4, §3.3). */
export function passwordStep(base: string, action: string, error: string | null): SafeHtml {
  return page(
    dialog(
      'Confirm your password',
      stepForm(
        base,
        action,
        html`<p>For your security, enter your password to make this change</p>
          <label for="verify-password">Password</label>
          <input
            id="verify-password"
            name="password"
            type="password"
            autocomplete="current-password"
            aria-label="Password"
          />
          ${errorP('incorrect-password-error', error)}
          <button type="submit" class="submit artdeco-button" aria-label="Submit">Submit</button>`,
      ),
      base,
    ),
  );
}

/** QR image and setup key, shown once (spec §3.2 step 5). */
export function qrStep(base: string, qrDataUrl: string | null, keyText: string | null): SafeHtml {
  return page(
    dialog(
      'Set up your authenticator app',
      stepForm(
        base,
        'qr-continue',
        html`<ol class="authenticator-instructions">
            <li>Open your authenticator app and choose Add account, then Other.</li>
            <li>Name the account LinkedIn and scan the QR code, or choose Enter the secret key.</li>
          </ol>
          ${qrDataUrl ? html`<img class="authenticator-QRImage" alt="QR code" data-test-qr-image src="${qrDataUrl}" width="200" height="200" />` : null}
          ${keyText ? html`<p>Secret key: <span class="authenticator-key" data-test-setup-key>${keyText}</span></p>` : null}
          <button type="submit" class="continue artdeco-button" aria-label="Continue">
            Continue
          </button>`,
      ),
      base,
    ),
  );
}

/** Confirmation code (spec §3.2 step 6; SMS variant uses `.verify` and `#checkpoint-error`). */
export function codeStep(
  base: string,
  action: string,
  method: TwoFactorMethod,
  prompt: string,
  error: string | null,
): SafeHtml {
  const totp = method === 'authenticator';
  return page(
    dialog(
      'Enter verification code',
      stepForm(
        base,
        action,
        html`<label for="enter-code">${prompt}</label>
          <input
            id="enter-code"
            name="code"
            maxlength="12"
            inputmode="numeric"
            autocomplete="one-time-code"
            aria-label="Verification code"
          />
          ${errorP(totp ? 'two-step-authenticator-error' : 'checkpoint-error', error)}
          <button
            type="submit"
            class="${totp ? 'continue artdeco-button' : 'verify artdeco-button'}"
            aria-label="Verify"
          >
            Verify
          </button>`,
      ),
      base,
    ),
  );
}

/** Done: On, with the recovery-codes link (spec §3.2 steps 7–8). */
export function enabledPage(base: string, hasRecoveryCodes: boolean): SafeHtml {
  return page(
    html`<section class="two-step-status two-step-enabled" data-test-two-step-status>
      <p class="success" role="status">Two-Step Verification is enabled</p>
      <p>
        Status:
        <span data-state-key="i18n_two_factor_auth_state_choice" data-test-two-step-state>On</span>
      </p>
      ${hasRecoveryCodes ? html`<a class="recovery-codes-link" href="${`${base}?view=recovery-codes`}">Recovery Codes</a>` : null}
    </section>`,
  );
}

/** The recovery codes with a "Copy Codes" button (spec §3.2 step 8). */
export function recoveryCodesPage(base: string, codes: readonly string[]): SafeHtml {
  return page(
    html`<section class="recovery-codes" data-test-recovery-codes>
      <h2>Recovery Codes</h2>
      <p>Each code can be used once to sign in if you lose access to your authenticator app.</p>
      <ul class="recovery-codes__list">
        ${codes.map((c) => html`<li class="recovery-code">${c}</li>`)}
      </ul>
      <button
        type="button"
        class="copy-codes artdeco-button"
        aria-label="Copy Codes"
        data-codes="${codes.join(' ')}"
        onclick="navigator.clipboard&&navigator.clipboard.writeText(this.dataset.codes)"
      >
        Copy Codes
      </button>
      <a href="${base}">Back</a>
    </section>`,
  );
}

/** The legacy phone form (`/psettings/phone/add`) of the SMS path. */
export function phoneAddPage(error: string | null): SafeHtml {
  return page(
    html`<form method="post" action="/psettings/phone/add" class="phone-add">
      <label for="phone-number">Phone number</label>
      <input
        id="phone-number"
        name="phoneNumber"
        type="tel"
        autocomplete="tel"
        aria-label="Phone number"
      />
      ${errorP('phone-number-error', error)}
      <button type="submit" class="continue artdeco-button" aria-label="Send code">
        Send code
      </button>
    </form>`,
  );
}
