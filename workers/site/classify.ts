/**
 * The decision: facts → Screen, in the documented order (§2.9), deterministic when several
 * signals are present. Pure, so the order is unit-testable without a browser.
 *
 * Order: rate limit (URL) → CAPTCHA → [settings screens, on a settings URL] → e-mail PIN →
 * authenticator / SMS prompt (phone-registration's own code step excluded) → app approval →
 * phone registration → restricted → bad credentials → interstitials → login → feed → authwall →
 * generic site error. Each screen needs two agreeing signals, or one strong id plus the URL.
 */
import type { PageFacts } from './facts';
import type { Screen, SettingsStep, TwoStepMethod } from './screen';
import { TEXT, URLS, type ProbeName } from './site-map';

/** `'blank'`: an interim page (slow redirect); `null`: nothing matched. */
export type Classification = Screen | 'blank' | null;

type F = PageFacts;
const vis = (f: F, p: ProbeName): boolean => f.probes[p].vis > 0;
const has = (f: F, p: ProbeName): boolean => f.probes[p].n > 0;
const txt = (f: F, p: ProbeName): string => f.probes[p].text;
const heading = (f: F, re: RegExp): string | undefined => f.headings.find((h) => re.test(h));
const control = (f: F, re: RegExp): boolean => f.controls.some((c) => re.test(c));
const errorOf = (f: F, ...ps: ProbeName[]): string | null => {
  for (const p of ps) if (vis(f, p) && txt(f, p)) return txt(f, p);
  return null;
};

/** Classifies one set of facts. */
export function classify(f: F): Classification {
  if (URLS.rateLimited.test(f.path)) return { kind: 'rate_limited' };

  const captchaEl = has(f, 'captchaInternal') || has(f, 'captchaFrame');
  const captchaCtx =
    has(f, 'captchaForm') ||
    URLS.checkpoint.test(f.path) ||
    TEXT.securityTitle.test(f.title) ||
    heading(f, TEXT.securityCheck) !== undefined;
  if (captchaEl && captchaCtx) {
    const src = f.frames.join(' ');
    const provider = /funcaptcha/i.test(src)
      ? 'funcaptcha'
      : /captchainternal/i.test(src)
        ? 'recaptcha'
        : 'unknown';
    return { kind: 'captcha', provider };
  }

  if (URLS.settings.test(f.path)) {
    const s = settings(f);
    if (s) return s;
  }

  if (
    vis(f, 'emailPin') &&
    (has(f, 'emailPinForm') || TEXT.emailPin.test(f.text) || URLS.checkpoint.test(f.path))
  ) {
    return { kind: 'email_pin', error: errorOf(f, 'emailPinError', 'checkpointBanner') };
  }

  if (vis(f, 'phonePin') && !has(f, 'registerPhone')) {
    const header = txt(f, 'contentHeader');
    const error = errorOf(f, 'checkpointBanner', 'phonePinError');
    if (TEXT.authenticatorApp.test(header) || (has(f, 'authAppDiv') && has(f, 'twoStepForm'))) {
      return { kind: 'authenticator_prompt', error, rememberBrowser: has(f, 'recognizedDevice') };
    }
    if (has(f, 'twoStepForm') || TEXT.endingIn.test(header)) {
      return { kind: 'sms_prompt', last4: TEXT.endingIn.exec(header)?.[1] ?? null, error };
    }
  }

  const inapp = vis(f, 'inappHeading');
  if (
    (inapp && (TEXT.appChallengeTitle.test(f.title) || URLS.checkpoint.test(f.path))) ||
    (TEXT.appChallengeTitle.test(f.title) && TEXT.appApproval.test(f.text))
  ) {
    return { kind: 'app_approval', state: approvalState(f), alternative: alternative(f) };
  }

  if (has(f, 'registerPhone')) {
    if (vis(f, 'phonePin')) return { kind: 'phone_registration', step: 'verify_code' };
    if (vis(f, 'registerPhoneNumber')) return { kind: 'phone_registration', step: 'enter_number' };
  }

  const restrictedH = heading(f, TEXT.restricted);
  if (restrictedH && (has(f, 'restrictedId') || /account/i.test(restrictedH))) {
    return { kind: 'restricted', permanent: !TEXT.temporary.test(restrictedH) };
  }

  const bad = badCredentials(f);
  if (bad) return bad;

  if (URLS.addPhone.test(f.path) && (TEXT.addPhone.test(f.text) || control(f, /^skip$/i))) {
    return { kind: 'interstitial', which: 'add_phone' };
  }
  if (
    URLS.manageAccount.test(f.path) &&
    (TEXT.manageAccount.test(f.text) || control(f, /^(skip|confirm)$/i))
  ) {
    return { kind: 'interstitial', which: 'manage_account' };
  }
  if (URLS.addEmail.test(f.path) && control(f, /^skip$/i)) {
    return { kind: 'interstitial', which: 'add_email' };
  }

  const login = loginScreen(f);
  if (login) return login;

  if (URLS.feed.test(f.path) && has(f, 'globalNav')) return { kind: 'feed' };
  if (URLS.authwall.test(f.path)) return { kind: 'authwall' };

  const err = heading(f, TEXT.siteError);
  if (err) return { kind: 'site_error', heading: err };

  if (f.blank || vis(f, 'loader')) return 'blank';
  return null;
}

function approvalState(f: F): 'pending' | 'denied' | 'expired' {
  const s = `${txt(f, 'inappState')} ${txt(f, 'inappHeading')} ${f.headings.join(' ')}`;
  if (TEXT.denied.test(s)) return 'denied';
  if (TEXT.expired.test(s)) return 'expired';
  return 'pending';
}

function alternative(f: F): 'authenticator' | 'sms' | 'other' | null {
  const link = vis(f, 'tryAnotherWay')
    ? txt(f, 'tryAnotherWay')
    : f.controls.find((c) => /try another way|verify using/i.test(c));
  if (!link) return null;
  if (TEXT.viaAuthenticator.test(link)) return 'authenticator';
  if (TEXT.viaSms.test(link)) return 'sms';
  return 'other';
}

/**
 * Classic: `#error-for-username` / `#error-for-password` shown (§1.5). Modern (markup inferred):
 * a shown `role=alert` in the sign-in panel whose text names the password or the account.
 */
function badCredentials(f: F): Screen | null {
  if (!(has(f, 'loginForm') || vis(f, 'password') || vis(f, 'modernPassword'))) return null;
  const u = errorOf(f, 'usernameError');
  if (u) return { kind: 'bad_credentials', field: 'username', message: u };
  const p = errorOf(f, 'passwordError');
  if (p) return { kind: 'bad_credentials', field: 'password', message: p };
  const alert = !has(f, 'loginForm') && vis(f, 'modernPassword') ? errorOf(f, 'alert') : null;
  if (alert && /password/i.test(alert))
    return { kind: 'bad_credentials', field: 'password', message: alert };
  if (alert && /email|phone|account/i.test(alert)) {
    return { kind: 'bad_credentials', field: 'username', message: alert };
  }
  return null;
}

function loginScreen(f: F): Screen | null {
  const banner = errorOf(f, 'loginBanner');
  const welcome = has(f, 'rememberMeDiv') || heading(f, TEXT.welcomeBack) !== undefined;
  if (welcome && (vis(f, 'memberButton') || vis(f, 'otherAccount') || vis(f, 'password'))) {
    return { kind: 'login', variant: 'welcome_back', banner };
  }
  if (has(f, 'loginForm') && vis(f, 'username') && vis(f, 'password')) {
    return { kind: 'login', variant: 'classic', banner };
  }
  if (!has(f, 'loginForm') && vis(f, 'modernUser') && vis(f, 'modernPassword')) {
    return { kind: 'login', variant: 'modern', banner: banner ?? errorOf(f, 'alert') };
  }
  return null;
}

/** Settings screens; modal steps are checked before the status underneath them. */
function settings(f: F): Screen | null {
  const step = settingsStep(f);
  if (!step) return null;
  const error =
    step === 'password'
      ? errorOf(f, 'incorrectPassword')
      : step === 'enter_code' || step === 'key'
        ? errorOf(f, 'codeError')
        : step === 'identity_email_pin'
          ? errorOf(f, 'identityError')
          : null;
  const on = step === 'status' || step === 'done' ? statusOn(f) : null;
  const approval = step === 'identity_app_approval' ? approvalState(f) : null;
  return { kind: 'two_step_settings', step, on, method: on ? method(f) : null, approval, error };
}

function settingsStep(f: F): SettingsStep | null {
  if (vis(f, 'inappHeading') || TEXT.appApproval.test(f.text)) return 'identity_app_approval';
  if (vis(f, 'identityPin') && (TEXT.identityPin.test(f.text) || vis(f, 'emailPin'))) {
    return 'identity_email_pin';
  }
  if (vis(f, 'verifyPassword')) return 'password';
  const codes = f.probes.recoveryCode.vis;
  if ((vis(f, 'recoveryCodes') && codes > 0) || (heading(f, TEXT.recoveryHeading) && codes > 0)) {
    return 'recovery_codes';
  }
  if (vis(f, 'setupKey') || vis(f, 'qrImage')) return 'key';
  if (vis(f, 'enterCode')) return 'enter_code';
  if (vis(f, 'methodSelect') || TEXT.chooseMethod.test(f.text)) return 'choose_method';
  if (statusOn(f) === null) return null;
  return statusOn(f) && (vis(f, 'settingsSuccess') || TEXT.enabled.test(f.text))
    ? 'done'
    : 'status';
}

function statusOn(f: F): boolean | null {
  const state = txt(f, 'stateChoice').toLowerCase();
  if (state === 'on') return true;
  if (state === 'off') return false;
  if (vis(f, 'optOut') || control(f, /^turn off$/i)) return true;
  if (vis(f, 'optIn') || control(f, /^(set up|turn on)$/i)) return false;
  return null;
}

function method(f: F): TwoStepMethod | null {
  const via = txt(f, 'twoStepVia');
  if (TEXT.viaAuthenticator.test(via)) return 'authenticator';
  if (TEXT.viaSms.test(via)) return 'sms';
  return null;
}
