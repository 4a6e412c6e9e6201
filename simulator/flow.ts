/**
 * The login state machine: password → checkpoint steps → session. Routes call these; pages
 * never decide anything. Cookies follow spec §1.6 (li_at only after full authentication).
 */
import { clearCookie, redirect, setCookie, type Ctx } from './http';
import { bcookieValue, jsessionId, liRmToken, token } from './random';
import type { Account, Challenge, ChallengeStep, Session } from './types';

/** Where refused and rate-limited logins land (spec §1.5). */
export const RATE_LIMIT_URL = '/checkpoint/lg/login?errorKey=challenge_global_internal_error';
/** One year, the lifetime of li_at, li_rm and bcookie (spec §1.6). */
const YEAR_SEC = 365 * 86_400;
/** Values minted during this request, before the browser sends them back. */
const pendingCsrf = new WeakMap<Ctx, string>();
const pendingBcookie = new WeakMap<Ctx, string>();

/** Makes sure the browser has the anonymous cookies (spec §1.6) and returns its bcookie. */
export function ensureBrowserCookies(ctx: Ctx): string {
  let bcookie = ctx.cookies.get('bcookie') ?? pendingBcookie.get(ctx);
  if (!bcookie) {
    bcookie = bcookieValue();
    pendingBcookie.set(ctx, bcookie);
    setCookie(ctx, 'bcookie', bcookie, { maxAgeSec: YEAR_SEC });
    setCookie(ctx, 'bscookie', `"v=1&${Date.now()}${token(12)}AQ"`, {
      httpOnly: true,
      maxAgeSec: YEAR_SEC,
    });
    setCookie(ctx, 'lang', 'v=2&lang=en-us');
    const t = Math.floor(ctx.state.now() / 1000);
    setCookie(
      ctx,
      'lidc',
      `"b=SB01:s=O:r=O:a=O:p=O:g=1:u=1:x=1:i=${t}:t=${t + 86_400}:v=2:sig=AQ"`,
      {
        maxAgeSec: 86_400,
      },
    );
  }
  if (!ctx.cookies.get('JSESSIONID')) {
    setCookie(ctx, 'JSESSIONID', csrfOf(ctx), { maxAgeSec: YEAR_SEC });
  }
  return bcookie;
}

/** The browser's JSESSIONID (`"ajax:<digits>"`), minted once per request when missing. */
export function csrfOf(ctx: Ctx): string {
  const existing = ctx.cookies.get('JSESSIONID') ?? pendingCsrf.get(ctx);
  if (existing) return existing;
  const fresh = jsessionId();
  pendingCsrf.set(ctx, fresh);
  return fresh;
}

/** The checkpoint steps this login must pass, in order. */
export function stepsFor(ctx: Ctx, account: Account, bcookie: string): ChallengeStep[] {
  const steps: ChallengeStep[] = [];
  switch (account.loginChallenge) {
    case 'restricted':
      return ['restricted'];
    case 'app_approval':
      // The push replaces the code prompt; "Try another way" falls back to it (spec §2.3, §2.5).
      return ['app'];
    case 'captcha':
      steps.push('captcha');
      break;
    case 'email_pin':
      steps.push('email_pin');
      break;
    case 'phone_register':
      steps.push('phone_register', 'phone_verify');
      break;
    case 'none':
      break;
  }
  if (account.twoFactor.enabled && !ctx.state.isRecognized(account, bcookie)) {
    steps.push(account.twoFactor.method === 'sms' ? 'sms' : 'totp');
  }
  return steps;
}

/** Prepares the current step: sends its code, opens its approval, flags its CAPTCHA. */
export function enterStep(ctx: Ctx, ch: Challenge, account: Account): void {
  const s = ctx.state;
  ch.attempts = 0;
  ch.codes = [];
  switch (ch.steps[0]) {
    case 'email_pin':
      ch.codes = [s.mailPin(account, s.settings.emailPinTtlSec)];
      break;
    case 'sms':
    case 'phone_verify':
      ch.codes = [s.textCode(account)];
      break;
    case 'app':
      ch.approval = s.newApproval(account);
      break;
    case 'captcha':
      account.captchaPending = true;
      ch.captchaSolved = false;
      break;
    case 'totp':
    case 'phone_register':
    case 'restricted':
    case undefined:
      break;
  }
}

/** The URL of a challenge page (spec §0: `/checkpoint/challenge/<id>?ut=<token>`). */
export function challengeUrl(ch: Challenge): string {
  return `/checkpoint/challenge/${ch.id}?ut=${ch.ut}`;
}

/** The hop that turns a passed challenge into a session. */
export function completeUrl(ch: Challenge): string {
  return `/checkpoint/challenge/complete?challengeId=${encodeURIComponent(ch.id)}&ut=${ch.ut}`;
}

/**
 * After a correct password: opens a challenge or signs in directly. Returns where to go next.
 */
export function beginLogin(
  ctx: Ctx,
  account: Account,
  remember: boolean,
  sessionRedirect: string | null,
): string {
  const bcookie = ensureBrowserCookies(ctx);
  const steps = stepsFor(ctx, account, bcookie);
  const ch: Challenge = {
    id: `AQ${token(24)}`,
    ut: token(9),
    email: account.email,
    bcookie,
    remember,
    sessionRedirect,
    steps,
    attempts: 0,
    codes: [],
    approval: null,
    captchaSolved: false,
    recognizedDevice: false,
    completeAt: null,
  };
  if (steps.length === 0) return finishLogin(ctx, ch, account);
  ctx.state.challenges.set(ch.id, ch);
  enterStep(ctx, ch, account);
  return challengeUrl(ch);
}

/** Marks the current step passed; returns the next URL (next step, or the session). */
export function passStep(ctx: Ctx, ch: Challenge, account: Account): string {
  ch.steps.shift();
  if (ch.steps.length > 0) {
    enterStep(ctx, ch, account);
    return challengeUrl(ch);
  }
  return finishLogin(ctx, ch, account);
}

/** Refuses the challenge after too many wrong codes (spec §2.8) and locks the email. */
export function rateLimit(ctx: Ctx, ch: Challenge, account: Account): string {
  ctx.state.challenges.delete(ch.id);
  account.lockedUntil = ctx.state.now() + ctx.state.settings.rateLimitLockSec * 1000;
  if (account.approval === ch.approval) account.approval = null;
  return RATE_LIMIT_URL;
}

/** Issues the session cookies and returns the landing URL (interstitial, redirect or feed). */
export function finishLogin(ctx: Ctx, ch: Challenge, account: Account): string {
  const s = ctx.state;
  s.challenges.delete(ch.id);
  if (account.approval && account.approval === ch.approval) account.approval = null;
  const session = s.createSession(account, ch.bcookie);
  const ttl = s.settings.sessionTtlSec;
  setCookie(ctx, 'li_at', session.token, { httpOnly: true, maxAgeSec: ttl });
  setCookie(ctx, 'JSESSIONID', csrfOf(ctx), { maxAgeSec: ttl });
  setCookie(ctx, 'liap', 'true', { maxAgeSec: ttl });
  if (ch.remember) {
    const rm = liRmToken();
    s.remembered.set(rm, account.email);
    setCookie(ctx, 'li_rm', rm, { httpOnly: true, maxAgeSec: YEAR_SEC });
  } else if (ctx.cookies.has('li_rm')) {
    clearCookie(ctx, 'li_rm');
  }
  if (ch.recognizedDevice) {
    account.recognized.set(ch.bcookie, s.now() + s.settings.recognizedDeviceTtlSec * 1000);
  }
  if (account.interstitial === 'add_phone') return '/check/add-phone';
  if (account.interstitial === 'manage_account') return '/check/manage-account';
  return ch.sessionRedirect ?? '/feed/';
}

/**
 * The session of a protected page, or null after redirecting to /authwall or /login (setting
 * `protectedRedirect`) with the page as `session_redirect`.
 */
export function requireSession(ctx: Ctx): Session | null {
  const session = ctx.state.session(ctx.cookies.get('li_at'));
  if (session) return session;
  const back = encodeURIComponent(ctx.url.pathname + ctx.url.search);
  redirect(
    ctx,
    ctx.state.settings.protectedRedirect === 'authwall'
      ? `/authwall?trk=sim_authwall&sessionRedirect=${back}`
      : `/login?session_redirect=${back}`,
  );
  return null;
}
