/** Checkpoint routes under /checkpoint/challenge (spec §2). */
import { redirect, sendHtml, sendJson, type Ctx } from '../http';
import {
  challengeUrl,
  completeUrl,
  csrfOf,
  enterStep,
  finishLogin,
  passStep,
  rateLimit,
} from '../flow';
import {
  emailPinPage,
  EXPIRED_CODE_TEXT,
  interimPage,
  twoStepPage,
  WRONG_2FA_CODE_TEXT,
  WRONG_PIN_TEXT,
  type ChallengeModel,
} from '../pages/checkpoint';
import {
  appChallengePage,
  captchaFramePage,
  captchaPage,
  phoneRegisterPage,
  restrictedPage,
} from '../pages/challenges';
import { hiddenInputs } from '../pages/layout';
import type { Account, Challenge } from '../types';

/** Shown after "Resend code" (spec §2.2). */
const RESENT_TEXT = "We've sent you another code.";

function lookup(ctx: Ctx, id: string | null): { ch: Challenge; account: Account } | null {
  const ch = id ? ctx.state.challenges.get(id) : undefined;
  const account = ch ? ctx.state.account(ch.email) : undefined;
  return ch && account ? { ch, account } : null;
}

function model(
  ctx: Ctx,
  ch: Challenge,
  account: Account,
  error: string | null,
  recovery = false,
): ChallengeModel {
  const phone = account.phone ?? ctx.state.settings.defaultPhone;
  return {
    challengeId: ch.id,
    ut: ch.ut,
    csrf: csrfOf(ctx),
    step: ch.steps[0] ?? 'totp',
    error,
    toast: ctx.url.searchParams.get('resent') === '1' ? RESENT_TEXT : null,
    settings: ctx.state.settings,
    phoneLast4: phone.replace(/\D/g, '').slice(-4),
    hasRecoveryCodes: account.recoveryCodes.length > 0,
    recovery,
  };
}

/** The #try-another-way target for an account (spec §2.5). */
function anotherWay(account: Account): { text: string; to: 'totp' | 'sms' | 'email_pin' } {
  if (account.twoFactor.enabled && account.twoFactor.method === 'authenticator') {
    return { text: 'Verify using authenticator app', to: 'totp' };
  }
  if (account.twoFactor.enabled) return { text: 'Verify using SMS', to: 'sms' };
  return { text: 'Verify using email', to: 'email_pin' };
}

function render(ctx: Ctx, ch: Challenge, account: Account, error: string | null): void {
  const s = ctx.state;
  const m = model(ctx, ch, account, error, ctx.url.searchParams.get('recovery') === '1');
  switch (ch.steps[0]) {
    case 'email_pin':
      return sendHtml(ctx, emailPinPage(m));
    case 'totp':
    case 'sms':
      return sendHtml(ctx, twoStepPage(m));
    case 'captcha':
      if (ch.captchaSolved) return redirect(ctx, passStep(ctx, ch, account));
      return sendHtml(ctx, captchaPage(m));
    case 'phone_register':
    case 'phone_verify':
      return sendHtml(ctx, phoneRegisterPage(m));
    case 'restricted':
      return sendHtml(ctx, restrictedPage(account.restriction));
    case 'app': {
      const state = ch.approval ? s.approvalState(ch.approval) : 'expired';
      if (state === 'approved') return redirect(ctx, approvedUrl(ctx, ch, account));
      const way = anotherWay(account);
      return sendHtml(
        ctx,
        appChallengePage({
          state,
          anotherWay: way.text,
          anotherWayHref: `/checkpoint/challenge/switch?challengeId=${ch.id}&ut=${ch.ut}&to=${way.to}`,
          statusUrl: `/checkpoint/challenge/status?challengeId=${ch.id}`,
          resendAction: '/checkpoint/challenge/resend',
          hidden: hiddenInputs({ challengeId: ch.id, csrfToken: m.csrf }),
          pollMs: s.settings.approvalPollMs,
          deniedText: s.settings.approvalDeniedText,
          expiredText: s.settings.approvalExpiredText,
        }),
      );
    }
    case undefined:
      return redirect(ctx, completeUrl(ch));
  }
}

/** An approved push: the next step, or the complete hop that issues the session. */
function approvedUrl(ctx: Ctx, ch: Challenge, account: Account): string {
  if (account.approval === ch.approval) account.approval = null;
  ch.approval = null;
  ch.steps.shift();
  if (ch.steps.length > 0) {
    enterStep(ctx, ch, account);
    return challengeUrl(ch);
  }
  ch.completeAt = Date.now();
  return completeUrl(ch);
}

/** GET /checkpoint/challenge/:id?ut=… */
export function getChallenge(ctx: Ctx): void {
  const found = lookup(ctx, ctx.params[0] ?? null);
  if (!found || found.ch.ut !== ctx.url.searchParams.get('ut')) return redirect(ctx, '/login');
  render(ctx, found.ch, found.account, null);
}

/** After a correct 2FA code: the session, possibly behind a slow blank interim page. */
function afterCode(ctx: Ctx, ch: Challenge, account: Account): void {
  const delay = ctx.state.faults.postCodeRedirectDelayMs;
  if (ch.steps.length === 1 && delay > 0) {
    ch.steps.shift();
    ch.completeAt = Date.now() + delay;
    return sendHtml(ctx, interimPage(completeUrl(ch), delay));
  }
  redirect(ctx, passStep(ctx, ch, account), 303);
}

/** A wrong code: counts the attempt, rate-limits at the limit, else re-renders with the error. */
function wrongCode(ctx: Ctx, ch: Challenge, account: Account, text: string): void {
  ch.attempts++;
  if (ch.attempts >= ctx.state.settings.maxCodeAttempts) {
    return redirect(ctx, rateLimit(ctx, ch, account), 303);
  }
  render(ctx, ch, account, text);
}

/** POST /checkpoint/challenge/verify (and verifyV2, which posts `userResponse`). */
export async function postVerify(ctx: Ctx): Promise<void> {
  const f = await ctx.form();
  const found = lookup(ctx, f.get('challengeId'));
  if (!found) return redirect(ctx, '/login', 303);
  const { ch, account } = found;
  const s = ctx.state;
  const pin = f.get('pin') ?? f.get('userResponse') ?? '';
  switch (ch.steps[0]) {
    case 'email_pin':
    case 'sms':
    case 'phone_verify': {
      const r = s.checkSentCode(account, ch.codes, pin);
      if (r !== 'ok') {
        const text =
          r === 'expired'
            ? EXPIRED_CODE_TEXT
            : ch.steps[0] === 'email_pin'
              ? WRONG_PIN_TEXT
              : WRONG_2FA_CODE_TEXT;
        return wrongCode(ctx, ch, account, text);
      }
      if (ch.steps[0] === 'phone_verify') return redirect(ctx, passStep(ctx, ch, account), 303);
      ch.recognizedDevice = f.get('recognizedDevice') === 'on';
      return ch.steps[0] === 'sms'
        ? afterCode(ctx, ch, account)
        : redirect(ctx, passStep(ctx, ch, account), 303);
    }
    case 'totp': {
      const key = account.twoFactor.key;
      const ok =
        f.get('recoveryCode') === 'true'
          ? s.useRecoveryCode(account, pin)
          : key !== null && s.checkTotp(account, key, pin) === 'accepted';
      if (!ok) return wrongCode(ctx, ch, account, WRONG_2FA_CODE_TEXT);
      ch.recognizedDevice = f.get('recognizedDevice') === 'on';
      return afterCode(ctx, ch, account);
    }
    case 'phone_register': {
      const number = (f.get('phoneNumber') ?? '').replace(/[^\d+]/g, '');
      if (number.replace(/\D/g, '').length < 6) {
        return render(ctx, ch, account, 'Please enter a valid phone number.');
      }
      account.phone = number.startsWith('+') ? number : `+1${number}`;
      return redirect(ctx, passStep(ctx, ch, account), 303);
    }
    case 'captcha':
      if (ch.captchaSolved) return redirect(ctx, passStep(ctx, ch, account), 303);
      return render(ctx, ch, account, null);
    case 'app':
    case 'restricted':
    case undefined:
      return redirect(ctx, challengeUrl(ch), 303);
  }
}

/** POST /checkpoint/challenge/resend: a new code (the old one dies) or a new push. */
export async function postResend(ctx: Ctx): Promise<void> {
  const f = await ctx.form();
  const found = lookup(ctx, f.get('challengeId'));
  if (!found) return redirect(ctx, '/login', 303);
  const { ch, account } = found;
  const s = ctx.state;
  const step = ch.steps[0];
  if (step === 'email_pin' || step === 'sms' || step === 'phone_verify') {
    const fresh =
      step === 'email_pin' ? s.mailPin(account, s.settings.emailPinTtlSec) : s.textCode(account);
    ch.codes = s.settings.resendInvalidatesOld ? [fresh] : [...ch.codes, fresh];
  } else if (step === 'app') {
    ch.approval = s.newApproval(account);
  }
  redirect(ctx, `${challengeUrl(ch)}&resent=1`, 303);
}

/** GET /checkpoint/challenge/status: the app page's poll. */
export function getStatus(ctx: Ctx): void {
  const found = lookup(ctx, ctx.url.searchParams.get('challengeId'));
  if (!found) return sendJson(ctx, { status: 'expired' });
  const { ch, account } = found;
  if (ch.steps[0] !== 'app' || !ch.approval)
    return sendJson(ctx, { status: 'moved', redirectUrl: challengeUrl(ch) });
  const state = ctx.state.approvalState(ch.approval);
  if (state !== 'approved') return sendJson(ctx, { status: state });
  sendJson(ctx, { status: 'approved', redirectUrl: approvedUrl(ctx, ch, account) });
}

/** GET /checkpoint/challenge/switch: "Try another way" from the push to a code. */
export function getSwitch(ctx: Ctx): void {
  const found = lookup(ctx, ctx.url.searchParams.get('challengeId'));
  if (!found || found.ch.ut !== ctx.url.searchParams.get('ut')) return redirect(ctx, '/login');
  const { ch, account } = found;
  if (ch.steps[0] === 'app') {
    if (account.approval === ch.approval) account.approval = null;
    ch.approval = null;
    ch.steps[0] = anotherWay(account).to;
    enterStep(ctx, ch, account);
  }
  redirect(ctx, challengeUrl(ch));
}

/** GET /checkpoint/challenge/complete: waits out the post-code delay, then signs in. */
export async function getComplete(ctx: Ctx): Promise<void> {
  const found = lookup(ctx, ctx.url.searchParams.get('challengeId'));
  if (!found || found.ch.ut !== ctx.url.searchParams.get('ut')) return redirect(ctx, '/login');
  const { ch, account } = found;
  if (ch.steps.length > 0 || ch.completeAt === null) return redirect(ctx, challengeUrl(ch));
  const wait = ch.completeAt - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  redirect(ctx, finishLogin(ctx, ch, account));
}

/** GET /checkpoint/challenge/captchaInternal: the placeholder frame. */
export function getCaptchaFrame(ctx: Ctx): void {
  sendHtml(ctx, captchaFramePage());
}
