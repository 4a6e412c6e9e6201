/** Login screens: classic form (spec §1.1–1.2), "Welcome back" picker (§1.3), modern (§1.4). */
import { html, raw, type SafeHtml } from '../html';
import { hiddenInputs, layout } from './layout';

/** Title of every login screen (spec §0). */
export const LOGIN_TITLE = 'LinkedIn Login, Sign in | LinkedIn';
/** Shown on `errorKey=challenge_global_internal_error` (spec §1.5). */
export const RATE_LIMIT_TEXT = 'Sorry something went wrong. Please try again later.';

/** What the classic form shows. */
export interface LoginModel {
  readonly csrf: string;
  readonly email: string;
  readonly usernameError: string | null;
  readonly passwordError: SafeHtml | null;
  readonly banner: string | null;
  readonly rememberChecked: boolean;
  readonly sessionRedirect: string;
}

/** Hidden inputs of the classic form (spec §1.2); the server tolerates any being missing. */
function loginHiddenFields(m: LoginModel): SafeHtml {
  return hiddenInputs({
    csrfToken: m.csrf,
    ac: '0',
    sIdString: 'sim-sid',
    parentPageKey: 'd_checkpoint_lg_consumerLogin',
    pageInstance: 'urn:li:page:d_checkpoint_lg_consumerLogin;c2ltdWxhdG9y',
    trk: '',
    authUUID: '',
    session_redirect: m.sessionRedirect,
    loginCsrfParam: 'sim-login-csrf',
    fp_data: 'default',
    apfc: '',
    _d: 'd',
    showGoogleOneTapLogin: 'true',
    controlId: 'd_checkpoint_lg_consumerLogin-login_submit_button',
  });
}

/** The hidden one-time-link form that sits above the real form (spec §1.1). */
function otpGenerationForm(m: LoginModel): SafeHtml {
  return html`<form
    id="otp-generation"
    class="hidden"
    method="post"
    action="/checkpoint/lg/login-submit"
  >
    ${hiddenInputs({ csrfToken: m.csrf, midToken: '', session_redirect: m.sessionRedirect, parentPageKey: 'd_checkpoint_lg_consumerLogin', pageInstance: 'urn:li:page:d_checkpoint_lg_consumerLogin', controlId: 'd_checkpoint_lg_consumerLogin-SignInUsingOneTimeSignInLink', trk: '', authUUID: '', encrypted_session_key: '' })}
    <input type="hidden" id="input-resend-otp-url" name="resendUrl" value="/checkpoint/lg/resend" />
  </form>`;
}

function passwordField(error: SafeHtml | null): SafeHtml {
  return html`<div class="form__input">
    <input
      id="password"
      name="session_password"
      type="password"
      autocomplete="current-password"
      validation="password"
      aria-label="Password"
      aria-describedby="error-for-password"
      required
    />
    <label class="form__label--floating" for="password" aria-hidden="true">Password</label>
    <span
      id="password-visibility-toggle"
      class="button__password-visibility"
      role="button"
      tabindex="0"
      >Show</span
    >
    <div
      id="error-for-password"
      class="error__label${error ? '' : ' hidden'}"
      error-for="password"
      role="alert"
      aria-live="assertive"
    >
      ${error}
    </div>
  </div>`;
}

function rememberBox(checked: boolean): SafeHtml {
  return html`<div class="remember-me-wrapper">
    <input
      id="rememberMeOptIn-checkbox"
      class="large-input"
      type="checkbox"
      name="rememberMeOptIn"
      value="true"
      ${checked ? raw(' checked') : null}
    />
    <label for="rememberMeOptIn-checkbox">Keep me logged in</label>
  </div>`;
}

function submitButton(): SafeHtml {
  return html`<div class="login__form_action_container">
    <button
      class="btn__primary--large from__button--floating"
      data-litms-control-urn="login-submit"
      aria-label="Sign in"
      type="submit"
    >
      Sign in
    </button>
  </div>`;
}

function banner(text: string | null): SafeHtml | null {
  return text
    ? html`<div class="alert error" role="alert"><p class="alert-content">${text}</p></div>`
    : null;
}

const JOIN_NOW = html`<div class="join-now">
  New to LinkedIn?
  <a
    id="join_now"
    href="/signup/cold-join"
    data-litms-control-urn="login_join_now"
    class="btn__tertiary--medium"
    >Join now</a
  >
</div>`;

/** The classic `/login` page. */
export function classicLoginPage(m: LoginModel): SafeHtml {
  return layout(
    LOGIN_TITLE,
    html`<div id="app__container" class="glimmer">
      <main class="app__content" role="main">
        ${otpGenerationForm(m)}
        <div class="card-layout">
          <div id="organic-div">
            <div class="header__content">
              <h1 class="header__content__heading">Sign in</h1>
              <p class="header__content__subheading">Stay updated on your professional world</p>
            </div>
            ${banner(m.banner)}
            <form class="login__form" method="post" action="/checkpoint/lg/login-submit" novalidate>
              ${loginHiddenFields(m)}
              <div class="form__input mt-24">
                <input
                  id="username"
                  name="session_key"
                  type="text"
                  value="${m.email}"
                  autocomplete="username"
                  validation="email|tel"
                  aria-label="Email or phone"
                  aria-describedby="error-for-username"
                  required
                  autofocus
                />
                <label class="form__label--floating" for="username" aria-hidden="true"
                  >Email or phone</label
                >
                <div
                  id="error-for-username"
                  class="error__label${m.usernameError ? '' : ' hidden'}"
                  error-for="username"
                  role="alert"
                  aria-live="assertive"
                >
                  ${m.usernameError ?? ''}
                </div>
              </div>
              ${passwordField(m.passwordError)} ${rememberBox(m.rememberChecked)} ${submitButton()}
            </form>
          </div>
        </div>
        ${JOIN_NOW}
      </main>
      <artdeco-toasts></artdeco-toasts>
      <div id="loader-wrapper" class="hidden"></div>
    </div>`,
  );
}

/** What the "Welcome back" picker shows. */
export interface WelcomeBackModel extends LoginModel {
  /** After clicking the member button: the password field is shown. */
  readonly revealed: boolean;
}

/** The remembered-account picker (spec §1.3). */
export function welcomeBackPage(m: WelcomeBackModel): SafeHtml {
  const member = html`<div class="member-profile-block">
    <button class="member-profile__details" type="submit" aria-label="${`Sign in as ${m.email}`}">
      <span class="member-profile__name">${m.email.split('@')[0] ?? m.email}</span>
      <span class="member-profile__email">${m.email}</span>
    </button>
  </div>`;
  const body = m.revealed
    ? html`<form class="login__form" method="post" action="/checkpoint/lg/login-submit" novalidate>
        ${loginHiddenFields(m)}
        <input type="hidden" name="session_key" value="${m.email}" />
        <div class="member-profile-block">
          <span class="member-profile__email">${m.email}</span>
        </div>
        ${passwordField(m.passwordError)} ${rememberBox(m.rememberChecked)} ${submitButton()}
      </form>`
    : html`<form method="get" action="/login">
        <input type="hidden" name="rememberMe" value="reveal" />
        <div class="member-profile-container list-box">${member}</div>
      </form>`;
  return layout(
    LOGIN_TITLE,
    html`<div id="app__container" class="glimmer">
      <main class="app__content" role="main">
        <div id="rememberme-div">
          <h1 class="header__content__heading">Welcome Back</h1>
          ${banner(m.banner)}
          <div class="memberList-container">${body}</div>
          <a class="signin-other-account" href="/login?signin_other=true"
            >Sign in using another account</a
          >
        </div>
        ${JOIN_NOW}
      </main>
      <div id="loader-wrapper" class="hidden"></div>
    </div>`,
  );
}
