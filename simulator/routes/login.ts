/** Login routes: GET /login (classic, welcome back, modern), the classic POST and the SDUI POST. */
import { html, type SafeHtml } from '../html';
import { isLocalPath, redirect, sendHtml, sendJson, type Ctx } from '../http';
import { beginLogin, csrfOf, ensureBrowserCookies, RATE_LIMIT_URL } from '../flow';
import {
  classicLoginPage,
  RATE_LIMIT_TEXT,
  welcomeBackPage,
  type LoginModel,
} from '../pages/login';
import { modernLoginPage } from '../pages/modern-login';
import type { Variant } from '../types';

/** Error texts of spec §1.5. */
export const UNKNOWN_EMAIL_TEXT =
  "We couldn't find a LinkedIn account associated with this email. Please try again.";
const EMPTY_EMAIL_TEXT = 'Please enter an email address or phone number';
const SHORT_PASSWORD_TEXT = 'The password you provided must have at least 6 characters';

/** Wrong-password texts per the `passwordError` setting (spec §1.5), as plain text. */
export const WRONG_PASSWORD_TEXTS = {
  wrong_email_or_password: 'Wrong email or password. Try again or create an account.',
  not_right_password: "That's not the right password. Try again or sign in with a one-time link",
  hmm: "Hmm, that's not the right password. Please try again or request a new one.",
} as const;

/** Wrong-password markup per the `passwordError` setting (spec §1.5). */
function wrongPasswordHtml(ctx: Ctx): SafeHtml {
  switch (ctx.state.settings.passwordError) {
    case 'wrong_email_or_password':
      return html`Wrong email or password. Try again or
        <span data-tracking-control-name="login_error_create_account">create an account</span>.`;
    case 'not_right_password':
      return html`That's not the right password. Try again or
        <a href="/login?otp=1">sign in with a one-time link</a>`;
    case 'hmm':
      return html`Hmm, that's not the right password. Please try again or
        <a href="/checkpoint/rp/request-password-reset">request a new one</a>.`;
  }
}

/** The login UI this browser gets: ?variant=, then its bucket, then the remembered member's. */
function variantFor(ctx: Ctx, bcookie: string, rememberedEmail: string | undefined): Variant {
  const q = ctx.url.searchParams.get('variant');
  if (q === 'classic' || q === 'modern') return q;
  const bucket = ctx.state.browserVariant.get(bcookie);
  if (bucket) return bucket;
  const remembered = rememberedEmail ? ctx.state.account(rememberedEmail)?.variant : undefined;
  return remembered ?? ctx.state.settings.variant;
}

function sessionRedirectOf(value: string | null): string | null {
  return isLocalPath(value) ? value : null;
}

function baseModel(ctx: Ctx, email: string, redirectTo: string | null): LoginModel {
  return {
    csrf: csrfOf(ctx),
    email,
    usernameError: null,
    passwordError: null,
    banner: null,
    rememberChecked: ctx.state.settings.rememberMeDefault,
    sessionRedirect: redirectTo ?? '',
  };
}

/** GET /login, /uas/login, /login/<lang>, /checkpoint/lg/login. */
export function getLogin(ctx: Ctx): void {
  const bcookie = ensureBrowserCookies(ctx);
  const q = ctx.url.searchParams;
  const rateLimited = q.get('errorKey') === 'challenge_global_internal_error';
  if (!rateLimited && ctx.state.session(ctx.cookies.get('li_at'))) return redirect(ctx, '/feed/');
  const redirectTo = sessionRedirectOf(q.get('session_redirect'));
  const rmToken = ctx.cookies.get('li_rm');
  const rememberedEmail = rmToken ? ctx.state.remembered.get(rmToken) : undefined;
  const variant = variantFor(ctx, bcookie, rememberedEmail);
  if (variant === 'modern') return sendHtml(ctx, modernLoginPage(csrfOf(ctx), redirectTo ?? ''));
  const model = { ...baseModel(ctx, '', redirectTo), banner: rateLimited ? RATE_LIMIT_TEXT : null };
  const remembered = rememberedEmail ? ctx.state.account(rememberedEmail) : undefined;
  if (
    remembered &&
    ctx.state.settings.welcomeBack === 'when_remembered' &&
    q.get('signin_other') !== 'true'
  ) {
    const revealed = q.get('rememberMe') === 'reveal';
    return sendHtml(ctx, welcomeBackPage({ ...model, email: remembered.email, revealed }));
  }
  sendHtml(ctx, classicLoginPage(model));
}

/** Outcome of one credentials check, shared by the classic and the SDUI login. */
type Attempt =
  | { kind: 'redirect'; to: string }
  | { kind: 'error'; field: 'username' | 'password'; text: string; markup?: SafeHtml }
  | { kind: 'rebucket' };

async function attempt(
  ctx: Ctx,
  emailRaw: string,
  password: string,
  remember: boolean,
  redirectTo: string | null,
  from: Variant,
): Promise<Attempt> {
  const s = ctx.state;
  const { loginDelayMinMs: min, loginDelayMaxMs: max } = s.settings;
  if (max > 0) await new Promise((r) => setTimeout(r, min + s.rng() * Math.max(0, max - min)));
  const email = emailRaw.trim().toLowerCase();
  if (!email) return { kind: 'error', field: 'username', text: EMPTY_EMAIL_TEXT };
  if (s.faults.rateLimitNextLogin.delete(email)) return { kind: 'redirect', to: RATE_LIMIT_URL };
  const account = s.account(email);
  if (!account) return { kind: 'error', field: 'username', text: UNKNOWN_EMAIL_TEXT };
  if (account.lockedUntil > s.now()) return { kind: 'redirect', to: RATE_LIMIT_URL };
  if (password.length < 6) return { kind: 'error', field: 'password', text: SHORT_PASSWORD_TEXT };
  if (password !== account.password) {
    const text = WRONG_PASSWORD_TEXTS[s.settings.passwordError];
    return { kind: 'error', field: 'password', text, markup: wrongPasswordHtml(ctx) };
  }
  if (s.faults.unknownScreenNextLogin.delete(email)) {
    return { kind: 'redirect', to: `/check/account-review?member=${encodeURIComponent(email)}` };
  }
  const bcookie = ensureBrowserCookies(ctx);
  if (account.variant === 'modern' && from === 'classic' && !s.browserVariant.has(bcookie)) {
    // The member is in the new-UI bucket: this browser is moved there and must sign in again.
    s.browserVariant.set(bcookie, 'modern');
    return { kind: 'rebucket' };
  }
  return { kind: 'redirect', to: beginLogin(ctx, account, remember, redirectTo) };
}

/** POST /checkpoint/lg/login-submit (and the older /uas/login-submit). */
export async function postClassicLogin(ctx: Ctx): Promise<void> {
  const f = await ctx.form();
  const email = f.get('session_key') ?? '';
  const redirectTo = sessionRedirectOf(f.get('session_redirect'));
  const remember = f.has('rememberMeOptIn') || f.get('loginFlow') === 'REMEMBER_ME_OPTIN';
  const result = await attempt(
    ctx,
    email,
    f.get('session_password') ?? '',
    remember,
    redirectTo,
    'classic',
  );
  switch (result.kind) {
    case 'redirect':
      return redirect(ctx, result.to, 303);
    case 'rebucket':
      return redirect(ctx, '/login', 303);
    case 'error': {
      // HTTP 200, re-rendered at the POST URL (spec §1.5).
      const model = { ...baseModel(ctx, email, redirectTo), rememberChecked: remember };
      if (result.field === 'username') {
        return sendHtml(ctx, classicLoginPage({ ...model, usernameError: result.text }));
      }
      const passwordError = result.markup ?? html`${result.text}`;
      return sendHtml(ctx, classicLoginPage({ ...model, passwordError }));
    }
  }
}

/** POST of the modern page's SDUI login action; answers JSON for the inline script. */
export async function postSduiLogin(ctx: Ctx): Promise<void> {
  const body = await ctx.json();
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const str = (v: unknown): string => (typeof v === 'string' ? v : '');
  const remember = b.rememberMeOptInCheckboxState === true;
  const redirectTo = sessionRedirectOf(str(b.session_redirect) || null);
  const result = await attempt(
    ctx,
    str(b.identifier),
    str(b.password),
    remember,
    redirectTo,
    'modern',
  );
  switch (result.kind) {
    case 'redirect':
      return sendJson(ctx, { redirectUrl: result.to });
    case 'rebucket':
      return sendJson(ctx, { redirectUrl: '/login' });
    case 'error': {
      const field = result.field === 'username' ? 'identifier' : 'password';
      return sendJson(ctx, { error: { field, message: result.text } });
    }
  }
}
