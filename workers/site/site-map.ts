/**
 * Everything the workers know about LinkedIn's URLs and markup, in one place.
 * @see /work/shared/linkedin-flows.md (§ numbers below refer to it)
 *
 * Paths are relative: the base URL comes from the caller (config `LINKEDIN_BASE_URL`).
 * `PROBES` are plain CSS (they run inside the page through `querySelectorAll`); `ACTIONS` may
 * also use Puppeteer's `::-p-aria(...)` so role-based and class-based markup both work.
 */

/** Relative URL paths (§0). */
export const PATHS = {
  home: '/',
  login: '/login',
  loginSubmit: '/checkpoint/lg/login-submit',
  feed: '/feed/',
  twoStepSettings: '/mypreferences/d/two-factor-authentication',
  twoStepSettingsLegacy: '/psettings/two-step-verification',
  /**
   * Back into a setup flow in progress (the identity-check step), as the approval page's poll
   * redirects to once approved (§3.2 step 2) [inferred]: plain `open()` abandons the flow.
   */
  twoStepSettingsResume: '/mypreferences/d/two-factor-authentication?step=continue',
} as const;

/** URL patterns, tested against `pathname + search` (§0, §1.5, §2.9). */
export const URLS = {
  rateLimited: /[?&]errorKey=challenge_global_internal_error(?:&|$)/,
  checkpoint: /^\/checkpoint\//,
  login: /^\/(?:login|uas\/login|checkpoint\/lg\/)/,
  feed: /^\/feed(?:\/|\?|$)/,
  authwall: /^\/authwall(?:\/|\?|$)/,
  addPhone: /^\/check\/add-phone/,
  manageAccount: /^\/check\/manage-account/,
  addEmail: /^\/check\/add-email/,
  settings:
    /^\/(?:mypreferences\/d\/two-factor-authentication|psettings\/two-step-verification|psettings\/phone\/add)/,
} as const;

/** CSS probes whose presence, visibility and text the classifier reads. */
export const PROBES = {
  // §2.6 CAPTCHA
  captchaInternal: '#captcha-internal',
  captchaFrame: 'iframe[src*="captcha" i]',
  captchaForm: 'form#captcha-challenge',
  // §2.2 e-mail PIN
  emailPin: '#input__email_verification_pin',
  emailPinForm: 'form#email-pin-challenge, #email-pin-submit-button',
  emailPinError: '#email-pin-error',
  // §2.3–2.4 2FA prompts
  phonePin: '#input__phone_verification_pin',
  twoStepForm: 'form#two-step-challenge, #two-step-submit-button',
  authAppDiv: '#auth-app-div',
  contentHeader: 'h1.content__header',
  recognizedDevice: '#recognizedDevice',
  checkpointBanner: '.body__banner--error [role=alert]',
  phonePinError: '#phone-pin-error',
  // §2.5 app approval
  inappHeading: '.header__content__heading__inapp',
  inappState: '[data-approval-state]',
  tryAnotherWay: '#try-another-way',
  // §2.7 phone registration
  registerPhone: 'form#register-phone-challenge, #register-phone-submit-button',
  registerPhoneNumber: '#register-verification-phone-number, #select-register-phone-country',
  // §2.8 restricted
  restrictedId: '#pagekey-uas-account-restricted',
  // §1.1, §1.3, §1.4 login
  loginForm: 'form.login__form',
  username: '#username',
  password: '#password, input[name=session_password]',
  usernameError: '#error-for-username',
  passwordError: '#error-for-password',
  modernUser: 'input[autocomplete~="username"]',
  modernPassword: 'input[type=password][autocomplete="current-password"]',
  rememberMeDiv: '#rememberme-div, .memberList-container',
  memberButton: '.member-profile__details, .member-profile-block button',
  otherAccount: '.signin-other-account',
  loginBanner: '.alert.error [role=alert], .alert.error, .alert-content',
  alert: '[role=alert]',
  // §1.6 logged-in markers
  globalNav:
    '#global-nav, .global-nav__me, .feed-identity-module, nav[aria-label="Primary Navigation"], #global-nav-typeahead',
  loader: '#loader-wrapper',
  // §3 settings
  stateChoice: 'span[data-state-key="i18n_two_factor_auth_state_choice"]',
  twoStepVia: '.two-step-via',
  optIn: '.opt-in',
  optOut: '.opt-out',
  methodSelect: 'select#two-step-method, select[id*="two-step-method"]',
  verifyPassword: '#verify-password',
  incorrectPassword: '#incorrect-password-error',
  qrImage: 'img.authenticator-QRImage, [data-test-qr-image]',
  setupKey: '.authenticator-key, [data-test-setup-key]',
  enterCode: '#enter-code',
  codeError: '#two-step-authenticator-error, #checkpoint-error',
  identityPin: '#email-verification-code, #input__email_verification_pin, input[name="pin"]',
  identityError: '#identity-verification-error, #email-pin-error',
  recoveryCodes: '.recovery-codes, [data-test-recovery-codes]',
  recoveryCode: '.recovery-code, [data-test-recovery-code]',
  recoveryLink: '.recovery-codes-link',
  settingsSuccess: '.two-step-enabled, .two-step-success',
} as const;

/** A probe name. */
export type ProbeName = keyof typeof PROBES;

/** Visible-text signals (§2–§3). Matched case-insensitively against rendered text. */
export const TEXT = {
  authenticatorApp: /authenticator app/i,
  endingIn: /ending in\D{0,3}(\d{2,4})/i,
  securityCheck: /quick security check/i,
  securityTitle: /security verification/i,
  emailPin: /quick verification|code we sent to your email|sent to your email/i,
  appChallengeTitle: /linkedin app challenge/i,
  appApproval: /check your linkedin app|tap\s+yes/i,
  denied: /\b(?:denied|declined|rejected)\b/i,
  expired: /\bexpired\b|timed out/i,
  viaAuthenticator: /authenticator/i,
  viaSms: /\bsms\b|text message|phone/i,
  restricted: /restricted/i,
  temporary: /temporar/i,
  welcomeBack: /welcome back/i,
  otherAccount: /sign in using another account/i,
  addPhone: /add a phone number/i,
  manageAccount: /confirm your account|manage (?:your )?account/i,
  siteError: /^(?:something went wrong|something isn['’]t quite right|oops!?)/i,
  chooseMethod: /choose your (?:verification|authentication) method/i,
  passwordPrompt: /enter your password/i,
  identityPin: /sent to the email|sent to your email|code we sent/i,
  enabled: /two-step verification is (?:enabled|on)|is now (?:enabled|on)|turned on/i,
  recoveryHeading: /recovery codes/i,
} as const;

/** Click/fill targets: CSS (visible match wins) and ARIA selectors, raced. */
export const ACTIONS = {
  signInSubmit: [
    'form.login__form button[type=submit]',
    '[data-litms-control-urn="login-submit"]',
    '::-p-aria([name="Sign in"][role="button"])',
  ],
  rememberedMember: ['.member-profile__details', '.member-profile-block button'],
  otherAccount: ['.signin-other-account', '::-p-text(Sign in using another account)'],
  twoStepSubmit: ['#two-step-submit-button', '::-p-aria([name="Submit code"][role="button"])'],
  emailPinSubmit: ['#email-pin-submit-button', '::-p-aria([name="Submit pin"][role="button"])'],
  tryAnotherWay: [
    '#try-another-way',
    '::-p-aria([name="Verify using authenticator app"][role="link"])',
    '::-p-aria([name="Try another way"][role="link"])',
    '::-p-aria([name="Try another way"][role="button"])',
  ],
  skip: ['.secondary-action', '::-p-aria([name="Skip"][role="button"])'],
  confirm: ['.primary-action', '::-p-aria([name="Confirm"][role="button"])'],
  setUp: [
    '.opt-in',
    '::-p-aria([name="Set up"][role="button"])',
    '::-p-aria([name="Turn on"][role="button"])',
  ],
  turnOff: ['.opt-out', '::-p-aria([name="Turn off"][role="button"])'],
  continue: [
    'button.continue',
    '.continue',
    '::-p-aria([name="Continue"][role="button"])',
    '::-p-aria([name="Verify"][role="button"])',
  ],
  passwordSubmit: [
    'button[class*="submit"]',
    '::-p-aria([name="Submit"][role="button"])',
    '::-p-aria([name="Done"][role="button"])',
  ],
  codeSubmit: [
    'button.continue',
    'button.verify',
    '::-p-aria([name="Verify"][role="button"])',
    '::-p-aria([name="Continue"][role="button"])',
    '::-p-aria([name="Submit"][role="button"])',
  ],
  identitySubmit: [
    'form button.continue',
    '::-p-aria([name="Submit"][role="button"])',
    '::-p-aria([name="Verify"][role="button"])',
  ],
  recoveryCodesLink: [
    '.recovery-codes-link',
    '::-p-aria([name="Recovery Codes"][role="link"])',
    '::-p-aria([name="Recovery codes"][role="link"])',
  ],
} as const;

/** Error elements cleared before a submit, so a stale message is never read as a new one. */
export const ERROR_SELECTORS = [
  PROBES.usernameError,
  PROBES.passwordError,
  PROBES.checkpointBanner,
  PROBES.emailPinError,
  PROBES.phonePinError,
  PROBES.incorrectPassword,
  PROBES.codeError,
  PROBES.identityError,
  PROBES.loginBanner,
  '[data-sdui-error]',
].join(', ');
